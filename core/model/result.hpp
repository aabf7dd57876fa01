#pragma once
#include <expected>
#include <system_error>

namespace sy {

template <class T>
using Result = std::expected<T, std::error_code>;

}  // namespace sy
