// Paho MQTT C++ interop check: one client publishes N QoS 1 messages, another receives them.
// Passes when every message arrives exactly once and in order. Usage:
//   sy_paho_qos1_order HOST PORT [COUNT]
// Prints one summary line and exits 0 on success, 1 on loss/duplication/reordering, 2 on error.

#include <mqtt/async_client.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

namespace {

struct Receiver {
    std::mutex m;
    std::condition_variable cv;
    std::vector<long> seqs;
};

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s HOST PORT [COUNT]\n", argv[0]);
        return 2;
    }
    const std::string uri = std::string("tcp://") + argv[1] + ":" + argv[2];
    const long count = argc > 3 ? std::stol(argv[3]) : 10000;
    const std::string topic = "interop/paho/qos1";
    try {
        mqtt::async_client sub(uri, "paho-cpp-sub", mqtt::create_options(MQTTVERSION_3_1_1));
        mqtt::async_client pub(uri, "paho-cpp-pub", mqtt::create_options(MQTTVERSION_3_1_1));
        Receiver rx;
        sub.set_message_callback([&](mqtt::const_message_ptr msg) {
            std::lock_guard lock(rx.m);
            rx.seqs.push_back(std::stol(msg->get_payload_str()));
            rx.cv.notify_all();
        });
        auto opts = mqtt::connect_options_builder().clean_session(true).keep_alive_interval(
                        std::chrono::seconds(30)).finalize();
        sub.connect(opts)->wait();
        sub.subscribe(topic, 1)->wait();
        pub.connect(opts)->wait();

        // A sliding window of outstanding publishes keeps Paho's buffer bounded.
        std::vector<mqtt::delivery_token_ptr> window;
        for (long i = 0; i < count; ++i) {
            window.push_back(pub.publish(topic, std::to_string(i), 1, false));
            if (window.size() >= 100) {
                for (auto& t : window) t->wait();
                window.clear();
            }
        }
        for (auto& t : window) t->wait();

        std::unique_lock lock(rx.m);
        rx.cv.wait_for(lock, std::chrono::seconds(60),
                       [&] { return static_cast<long>(rx.seqs.size()) >= count; });
        long lost = 0, dup = 0, out_of_order = 0;
        std::vector<int> seen(static_cast<std::size_t>(count), 0);
        long prev = -1;
        for (long s : rx.seqs) {
            if (s < 0 || s >= count) continue;
            if (seen[static_cast<std::size_t>(s)]++) ++dup;
            if (s <= prev) ++out_of_order;
            prev = s;
        }
        for (int v : seen) lost += v == 0;
        std::printf("sent=%ld received=%zu lost=%ld duplicates=%ld out_of_order=%ld\n", count,
                    rx.seqs.size(), lost, dup, out_of_order);
        lock.unlock();
        pub.disconnect()->wait();
        sub.disconnect()->wait();
        return lost == 0 && dup == 0 && out_of_order == 0 ? 0 : 1;
    } catch (const mqtt::exception& e) {
        std::fprintf(stderr, "paho error: %s\n", e.what());
        return 2;
    }
}
