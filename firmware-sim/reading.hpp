#pragma once
// One sample of a simulated device's sensors, before it is encoded as a payload.

namespace sy::sim {

struct Reading {
    double temp_c = 0;       // air temperature, degrees Celsius
    double hum_pct = 0;      // relative humidity, percent
    double battery_pct = 0;  // remaining battery, percent
    double time_s = 0;       // UNIX time of the sample, seconds
};

}  // namespace sy::sim
