// Header escaping by version: none in 1.0, \n \c \\ in 1.1, \r added in 1.2, never in
// CONNECT/STOMP/CONNECTED.

#include <gtest/gtest.h>

#include "tests/unit/stomp_codec/codec_test_support.hpp"

namespace sy::stomp::test {
namespace {

using namespace std::string_literals;

const std::string kEscaped = "MESSAGE\na\\cb:x\\ny\\\\z\\cw\n\n\0"s;

TEST(StompEscaping, Version10TakesBytesAsTheyAre) {
    auto frames = decode_all(kEscaped, Version::V1_0);
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(*frames[0].header("a\\cb"), "x\\ny\\\\z\\cw");
}

TEST(StompEscaping, Version11Unescapes) {
    auto frames = decode_all(kEscaped, Version::V1_1);
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(*frames[0].header("a:b"), "x\ny\\z:w");
}

TEST(StompEscaping, CarriageReturnEscapeIsOnlyIn12) {
    const std::string in = "SEND\nk:a\\rb\n\n\0"s;
    DecodeResult r;
    EXPECT_TRUE(decode_all(in, Version::V1_1, &r).empty());
    EXPECT_EQ(r.status, DecodeStatus::Malformed);
    EXPECT_EQ(r.error, DecodeError::BadEscape);
    auto frames = decode_all(in, Version::V1_2);
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(*frames[0].header("k"), "a\rb");
}

TEST(StompEscaping, UndefinedEscapeIsFatal) {
    for (const char* in : {"SEND\nk:a\\tb\n\n", "SEND\nk:a\\\n\n", "SEND\nk\\x:v\n\n"}) {
        DecodeResult r;
        EXPECT_TRUE(decode_all(std::string(in) + '\0', Version::V1_2, &r).empty()) << in;
        EXPECT_EQ(r.error, DecodeError::BadEscape) << in;
    }
}

TEST(StompEscaping, ConnectFramesAreNeverEscaped) {
    // A passcode with a backslash must reach the server as typed.
    for (const char* cmd : {"CONNECT", "STOMP", "CONNECTED"}) {
        auto frames = decode_all(std::string(cmd) + "\npasscode:a\\tb\\c\n\n\0"s, Version::V1_2);
        ASSERT_EQ(frames.size(), 1u) << cmd;
        EXPECT_EQ(*frames[0].header("passcode"), "a\\tb\\c") << cmd;
    }
}

TEST(StompEscaping, EncoderEscapesPerVersion) {
    Frame f;
    f.command = Command::Message;
    f.headers = {{"a:b", "x\ny\\z"}, {"cr", "1\r2"}};
    EXPECT_EQ(encoded(f, Version::V1_2), "MESSAGE\na\\cb:x\\ny\\\\z\ncr:1\\r2\n\n\0"s);
    f.headers.pop_back();
    EXPECT_EQ(encoded(f, Version::V1_1), "MESSAGE\na\\cb:x\\ny\\\\z\n\n\0"s);
    Frame raw;
    raw.command = Command::Message;
    raw.headers = {{"k", "a\\c:b"}};
    EXPECT_EQ(encoded(raw, Version::V1_0), "MESSAGE\nk:a\\c:b\n\n\0"s);
    Frame connected;
    connected.command = Command::Connected;
    connected.headers = {{"server", "a:b\\c"}};
    EXPECT_EQ(encoded(connected, Version::V1_2), "CONNECTED\nserver:a:b\\c\n\n\0"s);
}

TEST(StompEscaping, Encodable) {
    EXPECT_TRUE(encodable("k", "a\nb", Command::Message, Version::V1_1));
    EXPECT_FALSE(encodable("k", "a\nb", Command::Message, Version::V1_0));
    EXPECT_FALSE(encodable("k:x", "v", Command::Message, Version::V1_0));
    EXPECT_FALSE(encodable("k", "a\rb", Command::Message, Version::V1_1));
    EXPECT_TRUE(encodable("k", "a\rb", Command::Message, Version::V1_2));
    EXPECT_FALSE(encodable("k", "a\nb", Command::Connected, Version::V1_2));
    EXPECT_FALSE(encodable("", "v", Command::Message, Version::V1_2));
}

TEST(StompEscaping, RoundTripEveryVersion) {
    Frame f;
    f.command = Command::Send;
    f.headers = {{"destination", "/queue/a"}, {"weird:name", "line1\nline2\\end"},
                 {"content-length", "4"}};
    f.body = "a\0b\n"s;
    for (auto v : {Version::V1_1, Version::V1_2}) {
        auto frames = decode_all(encoded(f, v), v);
        ASSERT_EQ(frames.size(), 1u);
        EXPECT_EQ(frames[0], f);
    }
    Frame plain;
    plain.command = Command::Subscribe;
    plain.headers = {{"destination", "/topic/a.*"}, {"ack", "client"}, {"x", "a:b\\c"}};
    for (auto v : {Version::V1_0, Version::V1_1, Version::V1_2}) {
        auto frames = decode_all(encoded(plain, v), v);
        ASSERT_EQ(frames.size(), 1u);
        EXPECT_EQ(frames[0], plain);
    }
}

}  // namespace
}  // namespace sy::stomp::test
