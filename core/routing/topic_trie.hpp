#pragma once
// A trie of pattern levels for matching a routing key against many bindings at once: cost
// grows with the key's depth and the number of wildcard branches, not with the number of
// bindings.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/routing/topic_pattern.hpp"

namespace sy::core {

template <class V>
class TopicTrie {
public:
    explicit TopicTrie(bool dollar_rule = true) : dollar_rule_(dollar_rule) {}

    // Stores value under pattern; the same (pattern, value) pair may be stored only once:
    // returns false if it already was.
    bool insert(const TopicPattern& pattern, V value);

    // Removes (pattern, value); returns false if absent. Prunes empty nodes.
    bool erase(const TopicPattern& pattern, const V& value);

    // Calls on_match(const V&) once for each stored (pattern, value) whose pattern matches
    // routing_key (AMQP form). A value stored under two matching patterns is reported twice.
    template <class F>
    void match(std::string_view routing_key, F&& on_match) const;

    std::size_t size() const { return size_; }

private:
    struct Node;
    // implementation defined in topic_trie_impl.hpp, included below
    bool dollar_rule_;
    std::size_t size_ = 0;
    std::unique_ptr<Node> root_;
};

}  // namespace sy::core

#include "core/routing/topic_trie_impl.hpp"
