#pragma once
// Retained messages by routing key, in a tree of levels so that a wildcard subscription
// finds its retained messages by walking the tree rather than scanning every key
// (LESSONS.md 6: RabbitMQ skips retained delivery for wildcard subscriptions).

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "core/model/message.hpp"
#include "core/routing/topic_pattern.hpp"

namespace sy::core {

class RetainedStore {
public:
    RetainedStore();
    ~RetainedStore();
    // Stores msg under key, or clears key when msg is nullptr. Returns true if this changed
    // whether the key holds a message.
    bool set(const std::string& key, MessagePtr msg);
    // Calls f for every retained message whose key matches pattern, $-rule applied.
    void match(const TopicPattern& pattern, const std::function<void(const MessagePtr&)>& f) const;
    std::size_t size() const { return size_; }

private:
    struct Node {
        std::map<std::string, Node, std::less<>> children;
        MessagePtr msg;
    };
    void walk(const Node& node, const TopicPattern& p, std::size_t i, bool top,
              const std::function<void(const MessagePtr&)>& f) const;
    void all_below(const Node& node, bool top, const std::function<void(const MessagePtr&)>& f) const;

    Node root_;
    std::size_t size_ = 0;
};

}  // namespace sy::core
