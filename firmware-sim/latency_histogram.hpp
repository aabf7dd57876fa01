#pragma once
// A log-linear latency histogram in the spirit of HdrHistogram: 64 buckets per power of two, so a
// reported percentile is within about 1.6% of the true value, in fixed memory (about 30 KiB),
// whatever the count. Not thread-safe: one per subscriber, merged at the end.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>

namespace sy::sim {

class LatencyHistogram {
public:
    void record(std::uint64_t value_ns) noexcept;
    void merge(const LatencyHistogram& other) noexcept;

    std::uint64_t count() const noexcept { return count_; }
    std::uint64_t min() const noexcept { return count_ == 0 ? 0 : min_; }
    std::uint64_t max() const noexcept { return max_; }
    double mean() const noexcept;

    double sum() const noexcept { return static_cast<double>(sum_); }

    // The value at quantile q in [0, 1] (0.5 for the median); 0 when empty.
    std::uint64_t quantile(double q) const noexcept;

    // For shipping a histogram to another process: visit the non-empty buckets, then rebuild
    // from them and the summary. Bucket indexes out of range are ignored.
    template <class Fn>
    void for_each_bucket(Fn&& fn) const {
        for (std::size_t i = 0; i < kBuckets; ++i) {
            if (buckets_[i] != 0) {
                fn(i, buckets_[i]);
            }
        }
    }
    static LatencyHistogram restore(std::span<const std::pair<std::size_t, std::uint64_t>> buckets,
                                    std::uint64_t min, std::uint64_t max, double sum) noexcept;

private:
    static constexpr unsigned kSubBits = 6;
    static constexpr std::uint64_t kSubCount = std::uint64_t{1} << kSubBits;
    static constexpr std::size_t kBuckets = (64 - kSubBits + 1) * kSubCount;

    static std::size_t bucket_of(std::uint64_t value) noexcept;
    static std::uint64_t midpoint_of(std::size_t bucket) noexcept;

    std::array<std::uint64_t, kBuckets> buckets_{};
    std::uint64_t count_ = 0;
    std::uint64_t min_ = UINT64_MAX;
    std::uint64_t max_ = 0;
    long double sum_ = 0;
};

}  // namespace sy::sim
