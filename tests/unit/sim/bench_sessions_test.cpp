// Persistent and offline subscribers: option rules, the JSON keys bench scripts read, and the
// lines the subscriber process sends back (which may now be an error after "go").

#include "firmware-sim/bench_options.hpp"
#include "firmware-sim/bench_report.hpp"
#include "firmware-sim/errc.hpp"
#include "firmware-sim/subscriber_process.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace sy::sim {
namespace {

BenchOptions qos1() {
    BenchOptions o;
    o.qos = 1;
    return o;
}

TEST(BenchSessions, OfflineImpliesPersistent) {
    struct Case {
        bool persistent, offline;            // as given
        bool want_persistent, want_offline;  // after apply_implied
    };
    for (const Case& c : {Case{false, false, false, false}, Case{true, false, true, false},
                          Case{false, true, true, true}, Case{true, true, true, true}}) {
        BenchOptions o = qos1();
        o.persistent_subs = c.persistent;
        o.offline_subs = c.offline;
        apply_implied(o);
        EXPECT_EQ(o.persistent_subs, c.want_persistent) << c.persistent << c.offline;
        EXPECT_EQ(o.offline_subs, c.want_offline) << c.persistent << c.offline;
    }
}

TEST(BenchSessions, OfflineNeedsQos1Or2) {
    BenchOptions o;
    o.offline_subs = true;
    apply_implied(o);
    for (int qos : {0, 1, 2}) {
        o.qos = qos;
        const auto problem = find_problem(o);
        EXPECT_EQ(problem.has_value(), qos == 0) << "qos " << qos;
        if (problem) {
            EXPECT_NE(problem->find("--offline-subs"), std::string::npos) << *problem;
        }
    }
}

TEST(BenchSessions, PersistentAtQos0IsAllowed) {
    // Online, a persistent session delivers QoS 0 like a clean one; nothing to refuse.
    BenchOptions o;
    o.persistent_subs = true;
    apply_implied(o);
    EXPECT_FALSE(find_problem(o));
}

TEST(BenchSessions, JsonLineCarriesSessionKeys) {
    BenchResult r;
    r.options = qos1();
    r.options.offline_subs = true;
    apply_implied(r.options);
    r.sent = 1000;
    r.publish_s = 0.5;
    r.received = 1000;
    r.deliver_s = 0.25;
    const auto j = nlohmann::json::parse(to_json_line(r));
    EXPECT_EQ(j.at("persistent_subs"), true);
    EXPECT_EQ(j.at("offline_subs"), true);
    // The keys bench/ scripts already read stay as they were.
    EXPECT_DOUBLE_EQ(j.at("publish_rate").get<double>(), 2000.0);
    EXPECT_DOUBLE_EQ(j.at("deliver_rate").get<double>(), 4000.0);
    for (const char* key : {"lost", "duplicates", "sent", "received", "p50_us", "qos", "msgs",
                            "client_cpu_s", "active_s", "delivery_timed_out"}) {
        EXPECT_TRUE(j.contains(key)) << key;
    }

    BenchResult plain;
    const auto k = nlohmann::json::parse(to_json_line(plain));
    EXPECT_EQ(k.at("persistent_subs"), false);
    EXPECT_EQ(k.at("offline_subs"), false);
}

TEST(SubscriberProtocol, ParseGo) {
    EXPECT_EQ(parse_go("go 100000"), 100000u);
    EXPECT_EQ(parse_go("go 0"), 0u);
    EXPECT_FALSE(parse_go("go "));
    EXPECT_FALSE(parse_go("go 12x"));
    EXPECT_FALSE(parse_go("go -1"));
    EXPECT_FALSE(parse_go("abort"));
    EXPECT_FALSE(parse_go("ready"));
}

TEST(SubscriberProtocol, ParseError) {
    const auto timeout = parse_error("error " + std::to_string(static_cast<int>(errc::Timeout)));
    ASSERT_TRUE(timeout);
    EXPECT_EQ(*timeout, make_error_code(errc::Timeout));
    // An unreadable code still reads as an error, not as a report.
    const auto garbled = parse_error("error ?");
    ASSERT_TRUE(garbled);
    EXPECT_EQ(*garbled, make_error_code(errc::ConnectFailed));
    EXPECT_FALSE(parse_error("ready"));
    EXPECT_FALSE(parse_error("{\"subs\":[]}"));
}

}  // namespace
}  // namespace sy::sim
