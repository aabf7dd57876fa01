#include "firmware-sim/proc_status.hpp"

#include "firmware-sim/connect_report.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

namespace sy::sim {
namespace {

TEST(ProcStatus, ParsesVmRss) {
    EXPECT_EQ(parse_vm_rss_kib("Name:\tswitchyard\nVmPeak:\t  99999 kB\nVmRSS:\t   12345 kB\n"
                               "Threads:\t4\n"),
              12345u);
    EXPECT_EQ(parse_vm_rss_kib("VmRSS:  7 kB"), 7u);
    EXPECT_FALSE(parse_vm_rss_kib("Name:\tx\n"));
    EXPECT_FALSE(parse_vm_rss_kib("VmRSS:\t12 MB\n"));
    EXPECT_FALSE(parse_vm_rss_kib("VmRSS:\n"));
}

TEST(ProcStatus, ReadsOurOwnProcess) {
    auto kib = read_vm_rss_kib(::getpid());
    ASSERT_TRUE(kib);
    EXPECT_GT(*kib, 100u);
    EXPECT_FALSE(read_vm_rss_kib(0x7ffffff0));
}

TEST(ConnectReport, JsonHasNullsWithoutABrokerPid) {
    ConnectReport r;
    r.count = 10;
    r.connected = 10;
    r.p50_ms = 1.23456;
    const std::string line = to_json_line(r);
    EXPECT_NE(line.find(R"("connect_p50_ms":1.235)"), std::string::npos) << line;
    EXPECT_NE(line.find(R"("broker_bytes_per_connection":null)"), std::string::npos) << line;
    r.broker_rss_before_kib = 1000;
    r.broker_rss_after_kib = 2000;
    r.broker_bytes_per_connection = 102400.4;
    EXPECT_NE(to_json_line(r).find(R"("broker_bytes_per_connection":102400.0)"), std::string::npos)
        << to_json_line(r);
    EXPECT_NE(to_text(r).find("102400 bytes per connection"), std::string::npos);
}

}  // namespace
}  // namespace sy::sim
