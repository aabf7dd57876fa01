#pragma once
// Reads one table of a scenario file with range checks, and remembers which keys it read so
// that finish() can refuse the rest: a typo in a scenario is an error, not a silent default.

#include <toml++/toml.h>

#include <cstdint>
#include <expected>
#include <set>
#include <string>
#include <string_view>

namespace sy::sim {

class TomlSection {
public:
    // `table` may be null (the section is absent): every read then keeps the default.
    TomlSection(const toml::table* table, std::string name)
        : table_(table), name_(std::move(name)) {}

    using Status = std::expected<void, std::string>;

    Status integer(const char* key, std::int64_t low, std::int64_t high, std::int64_t& out);
    // Integers are accepted where a float is expected (interval_ms = 2 is 2.0).
    Status number(const char* key, double low, double high, double& out);
    Status string(const char* key, std::string& out);
    Status boolean(const char* key, bool& out);

    template <class Int>
    Status integer_as(const char* key, std::int64_t low, std::int64_t high, Int& out) {
        std::int64_t v = static_cast<std::int64_t>(out);
        auto status = integer(key, low, high, v);
        if (status) out = static_cast<Int>(v);
        return status;
    }

    // An error naming the first key of the table that no read asked for.
    Status finish() const;

    std::string where(std::string_view key) const {
        return "'" + name_ + "." + std::string(key) + "'";
    }

private:
    const toml::node* find(const char* key);

    const toml::table* table_;
    std::string name_;
    std::set<std::string, std::less<>> read_;
};

}  // namespace sy::sim
