#include "firmware-sim/latency_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace sy::sim {

// Values below kSubCount get a bucket each. Above, the octave [2^m, 2^(m+1)) is split into
// kSubCount equal buckets of width 2^(m - kSubBits).
std::size_t LatencyHistogram::bucket_of(std::uint64_t value) noexcept {
    if (value < kSubCount) {
        return static_cast<std::size_t>(value);
    }
    const unsigned msb = static_cast<unsigned>(std::bit_width(value)) - 1;
    const unsigned shift = msb - kSubBits;
    return (shift + 1) * kSubCount + static_cast<std::size_t>((value >> shift) - kSubCount);
}

std::uint64_t LatencyHistogram::midpoint_of(std::size_t bucket) noexcept {
    if (bucket < kSubCount) {
        return bucket;
    }
    const auto shift = static_cast<unsigned>(bucket / kSubCount - 1);
    const std::uint64_t lower = (kSubCount + bucket % kSubCount) << shift;
    return lower + ((std::uint64_t{1} << shift) >> 1);
}

void LatencyHistogram::record(std::uint64_t value_ns) noexcept {
    ++buckets_[bucket_of(value_ns)];
    ++count_;
    min_ = std::min(min_, value_ns);
    max_ = std::max(max_, value_ns);
    sum_ += static_cast<long double>(value_ns);
}

void LatencyHistogram::merge(const LatencyHistogram& other) noexcept {
    for (std::size_t i = 0; i < kBuckets; ++i) {
        buckets_[i] += other.buckets_[i];
    }
    count_ += other.count_;
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
    sum_ += other.sum_;
}

LatencyHistogram LatencyHistogram::restore(
    std::span<const std::pair<std::size_t, std::uint64_t>> buckets, std::uint64_t min,
    std::uint64_t max, double sum) noexcept {
    LatencyHistogram h;
    for (const auto& [index, count] : buckets) {
        if (index < kBuckets) {
            h.buckets_[index] += count;
            h.count_ += count;
        }
    }
    if (h.count_ != 0) {
        h.min_ = min;
        h.max_ = max;
        h.sum_ = sum;
    }
    return h;
}

double LatencyHistogram::mean() const noexcept {
    return count_ == 0 ? 0.0 : static_cast<double>(sum_ / static_cast<long double>(count_));
}

std::uint64_t LatencyHistogram::quantile(double q) const noexcept {
    if (count_ == 0) {
        return 0;
    }
    q = std::clamp(q, 0.0, 1.0);
    // The rank of the sample we want, 1-based: the smallest value with at least q of all samples
    // at or below it.
    const auto wanted = std::max<std::uint64_t>(
        1, static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_))));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < kBuckets; ++i) {
        seen += buckets_[i];
        if (seen >= wanted) {
            // The midpoint can overshoot the largest sample recorded; never report beyond it.
            return std::clamp(midpoint_of(i), min(), max_);
        }
    }
    return max_;
}

}  // namespace sy::sim
