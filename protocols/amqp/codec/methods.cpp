// Method ids, names, and the (class id, method id) -> argument reader table, all generated from
// the Method variant so a method added there is decodable, encodable and named at once.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <variant>

#include "protocols/amqp/codec/method_fields.hpp"
#include "protocols/amqp/codec/methods.hpp"

namespace sy::amqp {

namespace {

template <class M>
constexpr std::uint32_t key_of() {
    return (std::uint32_t{M::kClassId} << 16) | M::kMethodId;
}

constexpr std::uint32_t key_of(std::uint16_t class_id, std::uint16_t method_id) {
    return (std::uint32_t{class_id} << 16) | method_id;
}

using Reader = detail::Fault (*)(detail::WireReader&, detail::TableBudget&, Method&);

struct Entry {
    std::uint32_t key;
    const char* name;
    Reader read;
};

template <std::size_t I>
detail::Fault read_alternative(detail::WireReader& in, detail::TableBudget& budget,
                               Method& out) {
    detail::MethodReader reader(in, budget);
    detail::fields(reader, out.emplace<I>());
    return reader.fault();
}

template <std::size_t... I>
constexpr auto make_entries(std::index_sequence<I...>) {
    return std::array<Entry, sizeof...(I)>{
        Entry{key_of<std::variant_alternative_t<I, Method>>(),
              std::variant_alternative_t<I, Method>::kName, &read_alternative<I>}...};
}

constexpr auto kEntries = make_entries(std::make_index_sequence<std::variant_size_v<Method>>{});

// The variant lists methods in id order, so lookups can binary-search; this keeps it honest.
static_assert(std::is_sorted(kEntries.begin(), kEntries.end(),
                             [](const Entry& a, const Entry& b) { return a.key < b.key; }));
static_assert(std::adjacent_find(kEntries.begin(), kEntries.end(), [](const Entry& a,
                                                                      const Entry& b) {
                  return a.key == b.key;
              }) == kEntries.end());

const Entry* find_entry(std::uint16_t class_id, std::uint16_t method_id) {
    const std::uint32_t key = key_of(class_id, method_id);
    const auto* it = std::lower_bound(kEntries.begin(), kEntries.end(), key,
                                      [](const Entry& e, std::uint32_t k) { return e.key < k; });
    return it != kEntries.end() && it->key == key ? it : nullptr;
}

}  // namespace

std::uint16_t class_id(const Method& method) {
    return std::visit([](const auto& m) { return std::decay_t<decltype(m)>::kClassId; }, method);
}

std::uint16_t method_id(const Method& method) {
    return std::visit([](const auto& m) { return std::decay_t<decltype(m)>::kMethodId; }, method);
}

const char* method_name(const Method& method) {
    return std::visit([](const auto& m) { return std::decay_t<decltype(m)>::kName; }, method);
}

const char* method_name(std::uint16_t class_id, std::uint16_t method_id) {
    const Entry* e = find_entry(class_id, method_id);
    return e != nullptr ? e->name : nullptr;
}

bool carries_content(const Method& method) {
    return std::holds_alternative<BasicPublish>(method) ||
           std::holds_alternative<BasicReturn>(method) ||
           std::holds_alternative<BasicDeliver>(method) ||
           std::holds_alternative<BasicGetOk>(method);
}

namespace detail {

void write_method_payload(ByteWriter& out, const Method& method) {
    std::visit(
        [&](const auto& m) {
            using M = std::decay_t<decltype(m)>;
            out.u16(M::kClassId);
            out.u16(M::kMethodId);
            MethodWriter writer(out);
            fields(writer, m);
        },
        method);
}

Fault read_method_arguments(std::uint16_t class_id, std::uint16_t method_id, WireReader& in,
                            TableBudget& budget, Method& out) {
    const Entry* e = find_entry(class_id, method_id);
    if (e == nullptr) {
        return not_implemented("unknown class or method id");
    }
    if (Fault f = e->read(in, budget, out)) {
        return f;
    }
    if (!in.empty()) {
        return syntax_error("octets after the last method argument");
    }
    return {};
}

}  // namespace detail

}  // namespace sy::amqp
