#include "firmware-sim/toml_section.hpp"

#include <cmath>
#include <cstdio>

namespace sy::sim {
namespace {

using Fail = std::unexpected<std::string>;

std::string text_of(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.10g", v);
    return buf;
}

}  // namespace

const toml::node* TomlSection::find(const char* key) {
    read_.insert(key);
    return table_ != nullptr ? table_->get(key) : nullptr;
}

TomlSection::Status TomlSection::integer(const char* key, std::int64_t low, std::int64_t high,
                                         std::int64_t& out) {
    const toml::node* n = find(key);
    if (n == nullptr) return {};
    const auto v = n->value_exact<std::int64_t>();
    if (!v || *v < low || *v > high) {
        return Fail(where(key) + " must be an integer from " + std::to_string(low) + " to " +
                    std::to_string(high));
    }
    out = *v;
    return {};
}

TomlSection::Status TomlSection::number(const char* key, double low, double high, double& out) {
    const toml::node* n = find(key);
    if (n == nullptr) return {};
    std::optional<double> v;
    if (n->is_floating_point()) v = n->value_exact<double>();
    if (n->is_integer()) v = static_cast<double>(*n->value_exact<std::int64_t>());
    if (!v || !std::isfinite(*v) || *v < low || *v > high) {
        return Fail(where(key) + " must be a number from " + text_of(low) + " to " + text_of(high));
    }
    out = *v;
    return {};
}

TomlSection::Status TomlSection::string(const char* key, std::string& out) {
    const toml::node* n = find(key);
    if (n == nullptr) return {};
    if (!n->is_string()) return Fail(where(key) + " must be a string");
    out = *n->value_exact<std::string>();
    return {};
}

TomlSection::Status TomlSection::boolean(const char* key, bool& out) {
    const toml::node* n = find(key);
    if (n == nullptr) return {};
    if (!n->is_boolean()) return Fail(where(key) + " must be true or false");
    out = *n->value_exact<bool>();
    return {};
}

TomlSection::Status TomlSection::finish() const {
    if (table_ == nullptr) return {};
    for (const auto& [key, value] : *table_) {
        if (!read_.contains(key.str())) return Fail("unknown setting " + where(key.str()));
    }
    return {};
}

}  // namespace sy::sim
