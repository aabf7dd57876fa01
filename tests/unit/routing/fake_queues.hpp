#pragma once
// Distinct Queue* values for routing tests. Routing never dereferences a Queue, and Queue is
// an incomplete type here, so the pointers are addresses inside a byte array.

#include <array>
#include <cstddef>

#include "core/routing/exchange.hpp"

namespace sy::core::test {

class FakeQueues {
public:
    static constexpr std::size_t kCount = 4096;

    Queue* operator[](std::size_t index) {
        return reinterpret_cast<Queue*>(&storage_.at(index));
    }

private:
    std::array<std::byte, kCount> storage_{};
};

}  // namespace sy::core::test
