#include "firmware-sim/device_command.hpp"

#include <gtest/gtest.h>

namespace sy::sim {
namespace {

TEST(CommandName, OnlyThisDevicesCommands) {
    EXPECT_EQ(command_name_of("cmd/dev-1/reboot", "dev-1"), "reboot");
    EXPECT_FALSE(command_name_of("cmd/dev-1/reply", "dev-1"));  // its own replies
    EXPECT_FALSE(command_name_of("cmd/dev-10/reboot", "dev-1"));
    EXPECT_FALSE(command_name_of("cmd/dev-1", "dev-1"));
    EXPECT_FALSE(command_name_of("cmd/dev-1/", "dev-1"));
    EXPECT_FALSE(command_name_of("cmd/dev-1/a/b", "dev-1"));
    EXPECT_FALSE(command_name_of("telemetry/dev-1", "dev-1"));
}

TEST(ParseCommand, Interval) {
    auto c = parse_command("interval", R"({"interval_ms": 500})");
    ASSERT_TRUE(c) << c.error();
    ASSERT_TRUE(std::holds_alternative<SetInterval>(c->command));
    EXPECT_EQ(std::get<SetInterval>(c->command).interval, std::chrono::milliseconds(500));
    EXPECT_TRUE(c->request_id.empty());
}

TEST(ParseCommand, IntervalOutOfRangeOrMissing) {
    EXPECT_FALSE(parse_command("interval", R"({"interval_ms": 5})"));
    EXPECT_FALSE(parse_command("interval", R"({"interval_ms": "fast"})"));
    auto missing = parse_command("interval", "{}");
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().find("interval_ms"), std::string::npos);
}

TEST(ParseCommand, RebootTakesAnEmptyBody) {
    auto c = parse_command("reboot", "");
    ASSERT_TRUE(c);
    EXPECT_TRUE(std::holds_alternative<Reboot>(c->command));
    EXPECT_TRUE(parse_command("reboot", " {} "));
}

TEST(ParseCommand, Fault) {
    auto c = parse_command("fault", R"({"kind": "stuck", "duration_s": 30})");
    ASSERT_TRUE(c);
    const auto& f = std::get<SetFault>(c->command);
    EXPECT_EQ(f.kind, FaultKind::Stuck);
    EXPECT_EQ(f.duration_s, 30);
    auto defaulted = parse_command("fault", R"({"kind": "dropout"})");
    ASSERT_TRUE(defaulted);
    EXPECT_EQ(std::get<SetFault>(defaulted->command).duration_s, 60);
    EXPECT_FALSE(parse_command("fault", R"({"kind": "fire"})"));
    EXPECT_FALSE(parse_command("fault", R"({"kind": "spike", "duration_s": -1})"));
}

TEST(ParseCommand, Firmware) {
    auto c = parse_command("firmware", R"({"version": "2.0.0", "duration_s": 4, "steps": 4})");
    ASSERT_TRUE(c);
    const auto& u = std::get<StartFirmwareUpdate>(c->command);
    EXPECT_EQ(u.version, "2.0.0");
    EXPECT_EQ(u.duration_s, 4);
    EXPECT_EQ(u.steps, 4);
    EXPECT_FALSE(parse_command("firmware", R"({"version": ""})"));
    EXPECT_FALSE(parse_command("firmware", R"({"version": "2", "steps": 0})"));
}

TEST(ParseCommand, BadBodiesAndUnknownNames) {
    EXPECT_EQ(parse_command("interval", "not json").error(), "body is not JSON");
    EXPECT_EQ(parse_command("interval", "[1]").error(), "body is not a JSON object");
    EXPECT_EQ(parse_command("selfdestruct", "{}").error(), "unknown command");
}

TEST(ParseCommand, RequestIdIsKeptAsJson) {
    auto c = parse_command("reboot", R"({"id": "r-17"})");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->request_id, R"("r-17")");
    EXPECT_EQ(parse_command("reboot", R"({"id": 5})")->request_id, "5");
    EXPECT_EQ(request_id_of(R"({"id": 9, "interval_ms": 1})"), "9");
    EXPECT_EQ(request_id_of("garbage"), "");
}

}  // namespace
}  // namespace sy::sim
