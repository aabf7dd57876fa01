#include "firmware-sim/fault_model.hpp"

namespace sy::sim {

std::string_view to_string(FaultKind kind) noexcept {
    switch (kind) {
        case FaultKind::None:
            return "none";
        case FaultKind::Stuck:
            return "stuck";
        case FaultKind::Spike:
            return "spike";
        case FaultKind::Dropout:
            return "dropout";
    }
    return "none";
}

std::optional<FaultKind> fault_kind_from(std::string_view name) noexcept {
    for (FaultKind k : {FaultKind::None, FaultKind::Stuck, FaultKind::Spike, FaultKind::Dropout}) {
        if (to_string(k) == name) return k;
    }
    return std::nullopt;
}

FaultModel::FaultModel(const FaultParams& params, std::uint64_t seed)
    : params_(params), rng_(seed) {}

FaultKind FaultModel::active(double now_s) const noexcept {
    if (kind_ == FaultKind::None) return FaultKind::None;
    if (single_spike_ || now_s < until_s_) return kind_;
    return FaultKind::None;
}

void FaultModel::start(FaultKind kind, double duration_s, double now_s) {
    kind_ = kind;
    until_s_ = now_s + duration_s;
    single_spike_ = kind == FaultKind::Spike && duration_s <= 0;
    frozen_.reset();
    if (kind != FaultKind::None) ++started_;
}

void FaultModel::force(FaultKind kind, double duration_s, double now_s) {
    start(kind, duration_s, now_s);
}

void FaultModel::maybe_start_random(double now_s) {
    const double roll = std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
    double edge = params_.stuck_probability;
    if (roll < edge) return start(FaultKind::Stuck, params_.stuck_duration_s, now_s);
    edge += params_.spike_probability;
    if (roll < edge) return start(FaultKind::Spike, 0, now_s);
    edge += params_.dropout_probability;
    if (roll < edge) return start(FaultKind::Dropout, params_.dropout_duration_s, now_s);
}

std::optional<Reading> FaultModel::apply(const Reading& reading) {
    const double now = reading.time_s;
    if (active(now) == FaultKind::None) {
        kind_ = FaultKind::None;
        maybe_start_random(now);
    }
    switch (kind_) {
        case FaultKind::None:
            return reading;
        case FaultKind::Dropout:
            return std::nullopt;
        case FaultKind::Stuck: {
            if (!frozen_) frozen_ = reading;
            Reading r = reading;  // the battery and the clock go on; the sensor does not
            r.temp_c = frozen_->temp_c;
            r.hum_pct = frozen_->hum_pct;
            return r;
        }
        case FaultKind::Spike: {
            const bool up = std::bernoulli_distribution(0.5)(rng_);
            Reading r = reading;
            r.temp_c += up ? params_.spike_magnitude_c : -params_.spike_magnitude_c;
            if (single_spike_) {
                kind_ = FaultKind::None;
                single_spike_ = false;
            }
            return r;
        }
    }
    return reading;
}

}  // namespace sy::sim
