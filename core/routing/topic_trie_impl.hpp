#pragma once
// Template definitions for TopicTrie; included at the bottom of topic_trie.hpp only.
//
// Matching runs the trie as an NFA over the key's levels: the set of live nodes advances one
// level at a time and is deduplicated, so a pattern with several '#' (say "#.x.#") that could
// match one key in several ways is still reported once, as the header promises. A node
// reached through a '#' edge loops on any level, which is how '#' absorbs levels.

#include <algorithm>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/routing/string_hash.hpp"
#include "core/routing/topic_trie.hpp"

namespace sy::core {

namespace trie_detail {

// Reusable per-thread buffers for match(). A nested match() on the same thread (an on_match
// callback that matches again) must not clobber the outer call's buffers, so a busy scratch
// hands out a fresh one instead.
template <class NodeT>
struct Scratch {
    std::vector<std::string_view> levels;
    std::vector<const NodeT*> live;
    std::vector<const NodeT*> next;
    bool busy = false;
};

template <class NodeT>
class ScratchLease {
public:
    ScratchLease() : shared_(thread_scratch()) {
        if (shared_.busy) {
            fallback_ = std::make_unique<Scratch<NodeT>>();
        } else {
            shared_.busy = true;
        }
    }
    ~ScratchLease() {
        if (!fallback_) {
            shared_.busy = false;
        }
    }
    ScratchLease(const ScratchLease&) = delete;
    ScratchLease& operator=(const ScratchLease&) = delete;

    Scratch<NodeT>& get() { return fallback_ ? *fallback_ : shared_; }

private:
    static Scratch<NodeT>& thread_scratch() {
        thread_local Scratch<NodeT> scratch;
        return scratch;
    }

    Scratch<NodeT>& shared_;
    std::unique_ptr<Scratch<NodeT>> fallback_;
};

// Sorts and removes duplicates; live sets are usually a handful of nodes.
template <class NodeT>
void dedupe(std::vector<const NodeT*>& nodes) {
    if (nodes.size() > 1) {
        std::sort(nodes.begin(), nodes.end(), std::less<const NodeT*>{});
        nodes.erase(std::unique(nodes.begin(), nodes.end()), nodes.end());
    }
}

}  // namespace trie_detail

template <class V>
struct TopicTrie<V>::Node {
    using ChildPtr = std::unique_ptr<Node>;

    std::unordered_map<std::string, ChildPtr, StringHash, std::equal_to<>>
        literals;
    ChildPtr star;
    ChildPtr hash;
    std::vector<V> values;
    bool is_hash = false;  // reached through a '#' edge: loops on any level

    Node() = default;
    explicit Node(bool hash_node) : is_hash(hash_node) {}
    Node(const Node&) = delete;
    Node& operator=(const Node&) = delete;

    // Iterative so that a pattern with thousands of levels cannot overflow the stack through
    // nested unique_ptr destructors.
    ~Node() {
        std::vector<ChildPtr> pending;
        release_children(pending);
        while (!pending.empty()) {
            ChildPtr node = std::move(pending.back());
            pending.pop_back();
            node->release_children(pending);
        }
    }

    bool empty() const { return values.empty() && literals.empty() && !star && !hash; }

    void release_children(std::vector<ChildPtr>& out) {
        for (auto& [text, child] : literals) {
            out.push_back(std::move(child));
        }
        literals.clear();
        if (star) {
            out.push_back(std::move(star));
        }
        if (hash) {
            out.push_back(std::move(hash));
        }
    }

    Node* find_child(const PatternLevel& level) {
        switch (level.kind) {
        case PatternLevel::Kind::Literal: {
            const auto it = literals.find(std::string_view(level.text));
            return it == literals.end() ? nullptr : it->second.get();
        }
        case PatternLevel::Kind::Star:
            return star.get();
        case PatternLevel::Kind::Hash:
            return hash.get();
        }
        return nullptr;
    }

    Node& child_or_create(const PatternLevel& level) {
        switch (level.kind) {
        case PatternLevel::Kind::Literal: {
            auto [it, inserted] = literals.try_emplace(level.text);
            if (inserted) {
                it->second = std::make_unique<Node>();
            }
            return *it->second;
        }
        case PatternLevel::Kind::Star:
            if (!star) {
                star = std::make_unique<Node>();
            }
            return *star;
        case PatternLevel::Kind::Hash:
            break;
        }
        if (!hash) {
            hash = std::make_unique<Node>(true);
        }
        return *hash;
    }

    void remove_child(const PatternLevel& level) {
        switch (level.kind) {
        case PatternLevel::Kind::Literal: {
            const auto it = literals.find(std::string_view(level.text));
            if (it != literals.end()) {
                literals.erase(it);
            }
            break;
        }
        case PatternLevel::Kind::Star:
            star.reset();
            break;
        case PatternLevel::Kind::Hash:
            hash.reset();
            break;
        }
    }
};

template <class V>
bool TopicTrie<V>::insert(const TopicPattern& pattern, V value) {
    if (!root_) {
        root_ = std::make_unique<Node>();
    }
    Node* node = root_.get();
    for (const PatternLevel& level : pattern) {
        node = &node->child_or_create(level);
    }
    // A linear scan: values under one exact pattern are few (subscribers to one filter) and
    // V only has to be equality-comparable.
    if (std::find(node->values.begin(), node->values.end(), value) != node->values.end()) {
        return false;
    }
    node->values.push_back(std::move(value));
    ++size_;
    return true;
}

template <class V>
bool TopicTrie<V>::erase(const TopicPattern& pattern, const V& value) {
    if (!root_) {
        return false;
    }
    // path[i] is the node reached after i levels; kept to prune bottom-up without recursion.
    std::vector<Node*> path;
    path.reserve(pattern.size() + 1);
    path.push_back(root_.get());
    for (const PatternLevel& level : pattern) {
        Node* child = path.back()->find_child(level);
        if (child == nullptr) {
            return false;
        }
        path.push_back(child);
    }
    std::vector<V>& values = path.back()->values;
    const auto it = std::find(values.begin(), values.end(), value);
    if (it == values.end()) {
        return false;
    }
    values.erase(it);
    --size_;
    for (std::size_t depth = pattern.size(); depth > 0 && path[depth]->empty(); --depth) {
        path[depth - 1]->remove_child(pattern[depth - 1]);
    }
    if (root_->empty()) {
        root_.reset();
    }
    return true;
}

template <class V>
template <class F>
void TopicTrie<V>::match(std::string_view routing_key, F&& on_match) const {
    if (!root_) {
        return;
    }
    trie_detail::ScratchLease<Node> lease;
    trie_detail::Scratch<Node>& scratch = lease.get();
    split_levels(routing_key, scratch.levels);
    // [MQTT-4.7.2-1]: wildcards at the first position skip keys such as "$SYS.x".
    const bool shield_first = dollar_rule_ && routing_key.starts_with('$');

    auto& live = scratch.live;
    auto& next = scratch.next;
    live.clear();
    live.push_back(root_.get());
    // The epsilon closure: '#' may match zero levels, so a node's hash child is live as soon
    // as the node is. Closes over nodes[first..]; an index loop because the vector grows while
    // it is walked.
    auto add_hash_children = [](std::vector<const Node*>& nodes, std::size_t first) {
        for (std::size_t i = first; i < nodes.size(); ++i) {
            if (nodes[i]->hash) {
                nodes.push_back(nodes[i]->hash.get());
            }
        }
        trie_detail::dedupe(nodes);
    };
    // live is just the root here: skipping it skips the '#' at pattern position 0.
    add_hash_children(live, shield_first ? 1 : 0);

    for (std::size_t index = 0; index < scratch.levels.size() && !live.empty(); ++index) {
        const std::string_view level = scratch.levels[index];
        const bool star_allowed = !(shield_first && index == 0);
        next.clear();
        for (const Node* node : live) {
            if (node->is_hash) {
                next.push_back(node);
            }
            if (const auto it = node->literals.find(level); it != node->literals.end()) {
                next.push_back(it->second.get());
            }
            if (node->star && star_allowed) {
                next.push_back(node->star.get());
            }
        }
        add_hash_children(next, 0);
        live.swap(next);
    }
    for (const Node* node : live) {
        for (const V& value : node->values) {
            on_match(value);
        }
    }
}

}  // namespace sy::core
