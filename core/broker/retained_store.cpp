#include "core/broker/retained_store.hpp"

#include <vector>

namespace sy::core {

RetainedStore::RetainedStore() = default;
RetainedStore::~RetainedStore() = default;

bool RetainedStore::set(const std::string& key, MessagePtr msg) {
    std::vector<std::string_view> levels;
    split_levels(key, levels);
    if (msg) {
        Node* n = &root_;
        for (auto l : levels) n = &n->children[std::string(l)];
        bool added = !n->msg;
        n->msg = std::move(msg);
        if (added) ++size_;
        return added;
    }
    // Clearing: remember the path so empty branches can be pruned.
    std::vector<std::pair<Node*, std::string_view>> path;
    Node* n = &root_;
    for (auto l : levels) {
        auto it = n->children.find(l);
        if (it == n->children.end()) return false;
        path.emplace_back(n, l);
        n = &it->second;
    }
    if (!n->msg) return false;
    n->msg.reset();
    --size_;
    for (auto it = path.rbegin(); it != path.rend(); ++it) {
        auto child = it->first->children.find(it->second);
        if (child->second.msg || !child->second.children.empty()) break;
        it->first->children.erase(child);
    }
    return true;
}

void RetainedStore::match(const TopicPattern& pattern,
                          const std::function<void(const MessagePtr&)>& f) const {
    walk(root_, pattern, 0, true, f);
}

void RetainedStore::walk(const Node& node, const TopicPattern& p, std::size_t i, bool top,
                         const std::function<void(const MessagePtr&)>& f) const {
    if (i == p.size()) {
        if (node.msg) f(node.msg);
        return;
    }
    const auto& level = p[i];
    switch (level.kind) {
        case PatternLevel::Kind::Literal: {
            auto it = node.children.find(level.text);
            if (it != node.children.end()) walk(it->second, p, i + 1, false, f);
            break;
        }
        case PatternLevel::Kind::Star:
            for (const auto& [name, child] : node.children) {
                if (top && !name.empty() && name[0] == '$') continue;  // [MQTT-4.7.2-1]
                walk(child, p, i + 1, false, f);
            }
            break;
        case PatternLevel::Kind::Hash:
            // '#' also matches the parent level: "a/#" matches "a" [MQTT-4.7.1-2].
            if (!top && node.msg) f(node.msg);
            all_below(node, top, f);
            break;
    }
}

void RetainedStore::all_below(const Node& node, bool top,
                              const std::function<void(const MessagePtr&)>& f) const {
    for (const auto& [name, child] : node.children) {
        if (top && !name.empty() && name[0] == '$') continue;
        if (child.msg) f(child.msg);
        all_below(child, false, f);
    }
}

}  // namespace sy::core
