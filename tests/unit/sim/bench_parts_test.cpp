#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <random>
#include <vector>

#include "firmware-sim/latency_histogram.hpp"
#include "firmware-sim/payload_stamp.hpp"
#include "firmware-sim/subscriber_tally.hpp"

namespace sy::sim {
namespace {

TEST(LatencyHistogram, QuantilesWithinTwoPercent) {
    LatencyHistogram h;
    std::mt19937_64 rng(7);
    std::vector<std::uint64_t> values;
    for (int i = 0; i < 100000; ++i) {
        auto v = std::uniform_int_distribution<std::uint64_t>(1000, 50'000'000)(rng);
        values.push_back(v);
        h.record(v);
    }
    std::sort(values.begin(), values.end());
    for (double q : {0.5, 0.9, 0.99, 0.999}) {
        auto exact = static_cast<double>(values[static_cast<std::size_t>(q * (values.size() - 1))]);
        auto got = static_cast<double>(h.quantile(q));
        EXPECT_NEAR(got, exact, exact * 0.02) << "q=" << q;
    }
    EXPECT_EQ(h.count(), values.size());
    EXPECT_EQ(h.min(), values.front());
    EXPECT_EQ(h.max(), values.back());
}

TEST(LatencyHistogram, EmptyAndMerge) {
    LatencyHistogram a, b;
    EXPECT_EQ(a.quantile(0.5), 0u);
    a.record(100);
    b.record(1'000'000);
    a.merge(b);
    EXPECT_EQ(a.count(), 2u);
    EXPECT_EQ(a.max(), 1'000'000u);
    EXPECT_EQ(a.min(), 100u);
}

TEST(LatencyHistogram, RestoreGivesTheSameQuantiles) {
    LatencyHistogram h;
    for (std::uint64_t v = 1; v < 100000; v += 37) h.record(v);
    std::vector<std::pair<std::size_t, std::uint64_t>> buckets;
    h.for_each_bucket([&](std::size_t i, std::uint64_t n) { buckets.emplace_back(i, n); });
    auto r = LatencyHistogram::restore(buckets, h.min(), h.max(), h.sum());
    EXPECT_EQ(r.count(), h.count());
    EXPECT_EQ(r.quantile(0.99), h.quantile(0.99));
}

TEST(PayloadStamp, RoundTripAndShortPayload) {
    std::array<std::byte, 100> buf{};
    PayloadStamp s{0xabcdef01, 3, 123456789012ull, -42};
    write_stamp(buf, s);
    auto back = read_stamp(buf);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->run_tag, s.run_tag);
    EXPECT_EQ(back->publisher, s.publisher);
    EXPECT_EQ(back->sequence, s.sequence);
    EXPECT_EQ(back->sent_ns, s.sent_ns);
    EXPECT_FALSE(read_stamp(std::span<const std::byte>(buf).first(kStampSize - 1)));
}

TEST(SubscriberTally, CountsUniqueDuplicateAndForeign) {
    SubscriberTally t(77, 2, 10);
    std::array<std::byte, kStampSize> buf{};
    auto send = [&](std::uint32_t tag, std::uint32_t pub, std::uint64_t seq) {
        write_stamp(buf, PayloadStamp{tag, pub, seq, 0});
        t.on_message(buf);
    };
    for (std::uint64_t i = 0; i < 10; ++i) send(77, 0, i);
    send(77, 1, 4);
    send(77, 1, 4);   // duplicate
    send(78, 0, 1);   // another run
    send(77, 5, 1);   // publisher out of range
    send(77, 0, 10);  // sequence out of range
    auto s = t.snapshot();
    EXPECT_EQ(s.unique, 11u);
    EXPECT_EQ(s.duplicates, 1u);
    EXPECT_EQ(s.foreign, 3u);
    EXPECT_EQ(t.unique(), 11u);
}

}  // namespace
}  // namespace sy::sim
