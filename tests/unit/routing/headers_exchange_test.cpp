#include "core/routing/headers_exchange.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/unit/routing/fake_queues.hpp"

namespace sy::core {
namespace {

HeaderValue str(const char* text) { return std::string(text); }

struct HeadersCase {
    const char* name;
    Headers args;
    Headers headers;
    bool expected;
};

TEST(HeadersMatch, Table) {
    const Headers format_pdf = {{"format", str("pdf")}};
    const std::vector<HeadersCase> cases = {
        {"all, both present", {{"format", str("pdf")}, {"type", str("report")}},
         {{"type", str("report")}, {"format", str("pdf")}, {"extra", str("x")}}, true},
        {"all, one missing", {{"format", str("pdf")}, {"type", str("report")}}, format_pdf,
         false},
        {"all, one differs", {{"format", str("pdf")}, {"type", str("report")}},
         {{"format", str("pdf")}, {"type", str("log")}}, false},
        {"explicit all", {{"x-match", str("all")}, {"format", str("pdf")}}, format_pdf, true},
        {"any, one present", {{"x-match", str("any")}, {"format", str("pdf")},
                              {"type", str("report")}}, format_pdf, true},
        {"any, none present", {{"x-match", str("any")}, {"format", str("zip")},
                               {"type", str("report")}}, format_pdf, false},
        {"all, no args matches everything", {}, {}, true},
        {"any, no args matches nothing", {{"x-match", str("any")}}, format_pdf, false},
        {"typed values: 1 is not \"1\"", {{"n", std::int64_t{1}}}, {{"n", str("1")}}, false},
        {"typed values: int equal", {{"n", std::int64_t{1}}}, {{"n", std::int64_t{1}}}, true},
        {"typed values: bool", {{"flag", true}}, {{"flag", false}}, false},
        {"typed values: double", {{"t", 1.5}}, {{"t", 1.5}}, true},
        {"empty string value", {{"tag", str("")}}, {{"tag", str("")}}, true},
        {"empty string is not absent", {{"tag", str("")}}, {}, false},
        {"names are case-sensitive", {{"Format", str("pdf")}}, format_pdf, false},
        {"x- args ignored by all", {{"x-tenant", str("t1")}, {"format", str("pdf")}},
         format_pdf, true},
        {"x- args ignored by any", {{"x-match", str("any")}, {"x-tenant", str("t1")}},
         {{"x-tenant", str("t1")}}, false},
        {"all-with-x checks x- args", {{"x-match", str("all-with-x")}, {"x-tenant", str("t1")},
                                       {"format", str("pdf")}}, format_pdf, false},
        {"all-with-x satisfied", {{"x-match", str("all-with-x")}, {"x-tenant", str("t1")}},
         {{"x-tenant", str("t1")}}, true},
        {"any-with-x on an x- header", {{"x-match", str("any-with-x")},
                                        {"x-tenant", str("t1")}, {"format", str("zip")}},
         {{"x-tenant", str("t1")}}, true},
        {"duplicate header names: any copy may match", {{"k", str("2")}},
         {{"k", str("1")}, {"k", str("2")}}, true},
        {"unknown x-match falls back to all", {{"x-match", str("most")}, {"a", str("1")}},
         {{"a", str("1")}}, true},
    };
    for (const HeadersCase& c : cases) {
        EXPECT_EQ(headers_match(parse_x_match(c.args), c.args, c.headers), c.expected) << c.name;
    }
}

TEST(HeadersMatch, ParsesXMatch) {
    EXPECT_EQ(parse_x_match({}), HeadersMatch::All);
    EXPECT_EQ(parse_x_match({{"x-match", str("all")}}), HeadersMatch::All);
    EXPECT_EQ(parse_x_match({{"x-match", str("any")}}), HeadersMatch::Any);
    EXPECT_EQ(parse_x_match({{"x-match", str("all-with-x")}}), HeadersMatch::AllWithX);
    EXPECT_EQ(parse_x_match({{"x-match", str("any-with-x")}}), HeadersMatch::AnyWithX);
    EXPECT_EQ(parse_x_match({{"x-match", std::int64_t{1}}}), HeadersMatch::All);
}

TEST(HeadersExchange, RoutesByHeaders) {
    test::FakeQueues queues;
    HeadersExchange exchange("amq.headers");
    EXPECT_TRUE(exchange.bind({queues[0], "", {}, {{"format", str("pdf")}}, 2}));
    EXPECT_TRUE(exchange.bind({queues[1], "", {},
                               {{"x-match", str("any")}, {"format", str("pdf")},
                                {"type", str("log")}}, 2}));
    EXPECT_TRUE(exchange.bind({queues[1], "", {}, {{"type", str("log")}}, 1}));
    EXPECT_TRUE(exchange.bind({queues[2], "", {},
                               {{"format", str("pdf")}, {"type", str("report")}}, 2}));

    Message message;
    message.headers = {{"type", str("log")}};
    RouteSet out;
    exchange.route(message, out);
    ASSERT_EQ(out.targets().size(), 1u);
    EXPECT_EQ(out.targets()[0].queue, queues[1]);
    EXPECT_EQ(out.targets()[0].qos_cap, 2);

    message.headers = {{"format", str("pdf")}, {"type", str("report")}};
    out.clear();
    exchange.route(message, out);
    EXPECT_EQ(out.targets().size(), 3u);
}

TEST(HeadersExchange, IdentityIgnoresArgOrder) {
    test::FakeQueues queues;
    HeadersExchange exchange("h");
    EXPECT_TRUE(exchange.bind({queues[0], "", {}, {{"a", str("1")}, {"b", str("2")}}, 2}));
    EXPECT_FALSE(exchange.bind({queues[0], "", {}, {{"b", str("2")}, {"a", str("1")}}, 0}));
    EXPECT_TRUE(exchange.bind({queues[0], "", {}, {{"a", str("1")}}, 2}));
    EXPECT_TRUE(exchange.bind({queues[1], "", {}, {{"a", str("1")}}, 2}));
    EXPECT_EQ(exchange.binding_count(), 3u);
    EXPECT_EQ(exchange.bindings().at(0).qos_cap, 0);

    EXPECT_FALSE(exchange.unbind({queues[0], "", {}, {{"a", str("2")}}, 0}));
    EXPECT_TRUE(exchange.unbind({queues[0], "", {}, {{"b", str("2")}, {"a", str("1")}}, 2}));
    exchange.unbind_queue(queues[0]);
    EXPECT_EQ(exchange.binding_count(), 1u);
    EXPECT_EQ(exchange.bindings().at(0).queue, queues[1]);
}

}  // namespace
}  // namespace sy::core
