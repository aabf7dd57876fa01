#include "firmware-sim/command_handler.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace sy::sim {
namespace {

using nlohmann::json;

struct Fixture : ::testing::Test {
    DeviceSettings settings;
    FaultModel faults{FaultParams{}, 1};
    FirmwareUpdate update;

    CommandResult run(std::string_view name, std::string_view body, double now = 1000) {
        return handle_command(name, body, now, DeviceParts{settings, faults, update});
    }
};

using CommandHandler = Fixture;

TEST_F(CommandHandler, IntervalChangesTheSettings) {
    auto r = run("interval", R"({"interval_ms": 250, "id": 3})");
    EXPECT_TRUE(r.ok);
    EXPECT_TRUE(r.interval_changed);
    EXPECT_FALSE(r.reboot);
    EXPECT_EQ(settings.interval, std::chrono::milliseconds(250));
    EXPECT_EQ(json::parse(r.reply),
              json::parse(R"({"cmd":"interval","ok":true,"id":3,"interval_ms":250})"));
}

TEST_F(CommandHandler, RebootAsksForOneAndCancelsAnUpdate) {
    update.start(StartFirmwareUpdate{"2.0", 10, 5}, "", 0);
    auto r = run("reboot", "");
    EXPECT_TRUE(r.ok);
    EXPECT_TRUE(r.reboot);
    EXPECT_FALSE(update.running());
    EXPECT_EQ(json::parse(r.reply), json::parse(R"({"cmd":"reboot","ok":true})"));
}

TEST_F(CommandHandler, FaultIsForced) {
    auto r = run("fault", R"({"kind":"dropout","duration_s":20})", 1000);
    EXPECT_TRUE(r.ok);
    EXPECT_EQ(faults.active(1010), FaultKind::Dropout);
    EXPECT_EQ(faults.active(1020), FaultKind::None);
    EXPECT_EQ(json::parse(r.reply)["kind"], "dropout");
}

TEST_F(CommandHandler, RefusalsSayWhyAndEchoTheId) {
    auto r = run("interval", R"({"interval_ms": 1, "id": "x"})");
    EXPECT_FALSE(r.ok);
    EXPECT_FALSE(r.interval_changed);
    json reply = json::parse(r.reply);
    EXPECT_EQ(reply["ok"], false);
    EXPECT_EQ(reply["id"], "x");
    EXPECT_NE(reply["error"].get<std::string>().find("interval_ms"), std::string::npos);
    EXPECT_EQ(settings.interval, std::chrono::milliseconds(5000));
    EXPECT_FALSE(run("nope", "{}").ok);
}

TEST_F(CommandHandler, FirmwareUpdateReportsProgressThenReboots) {
    auto r = run("firmware", R"({"version":"2.1.0","duration_s":10,"steps":5,"id":1})", 100);
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(json::parse(r.reply)["state"], "accepted");
    // A second update while one runs is refused.
    EXPECT_FALSE(run("firmware", R"({"version":"3"})", 101).ok);
    EXPECT_EQ(update.next_due_s(), 102);
    EXPECT_FALSE(update.poll(101.9));
    std::vector<int> seen;
    for (double t = 102; t <= 110; t += 2) {
        auto p = update.poll(t);
        ASSERT_TRUE(p) << t;
        seen.push_back(p->percent);
        json reply = json::parse(firmware_progress_reply(update, *p));
        EXPECT_EQ(reply["id"], 1);
        EXPECT_EQ(reply["version"], "2.1.0");
        EXPECT_EQ(reply["state"], p->done ? "installed" : "downloading");
        EXPECT_EQ(p->done, t == 110);
    }
    EXPECT_EQ(seen, (std::vector<int>{20, 40, 60, 80, 100}));
    EXPECT_FALSE(update.running());
}

TEST(FirmwareUpdate, OverdueStepsComeOneAtATime) {
    FirmwareUpdate u;
    ASSERT_TRUE(u.start(StartFirmwareUpdate{"9", 4, 4}, "", 0));
    int reports = 0;
    while (auto p = u.poll(100)) {
        ++reports;
        if (p->done) break;
    }
    EXPECT_EQ(reports, 4);
    EXPECT_FALSE(u.next_due_s());
}

TEST(FirmwareUpdate, ZeroDurationFinishesAtOnce) {
    FirmwareUpdate u;
    ASSERT_TRUE(u.start(StartFirmwareUpdate{"9", 0, 1}, "", 5));
    auto p = u.poll(5);
    ASSERT_TRUE(p);
    EXPECT_TRUE(p->done);
    EXPECT_EQ(p->percent, 100);
}

}  // namespace
}  // namespace sy::sim
