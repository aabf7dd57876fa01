// Decoding: spec examples fed whole and in every split, heart-beats, bodies, line endings,
// repeated headers.

#include <gtest/gtest.h>

#include "tests/unit/stomp_codec/codec_test_support.hpp"

namespace sy::stomp::test {
namespace {

using namespace std::string_literals;

const std::string kSession =
    "CONNECT\naccept-version:1.2\nhost:stomp.github.org\n\n\0"s
    "SEND\ndestination:/queue/a\ncontent-type:text/plain\n\nhello queue a\0\n"s
    "SUBSCRIBE\nid:0\ndestination:/queue/foo\nack:client\n\n\0"s
    "\n\n"s
    "ACK\nid:12345\ntransaction:tx1\n\n\0"s
    "DISCONNECT\nreceipt:77\n\n\0"s;

void expect_session(const std::vector<Frame>& frames) {
    ASSERT_EQ(frames.size(), 5u);
    EXPECT_EQ(frames[0].command, Command::Connect);
    EXPECT_EQ(*frames[0].header("host"), "stomp.github.org");
    EXPECT_EQ(frames[1].command, Command::Send);
    EXPECT_EQ(*frames[1].header("destination"), "/queue/a");
    EXPECT_EQ(frames[1].body, "hello queue a");
    EXPECT_EQ(frames[2].command, Command::Subscribe);
    EXPECT_EQ(*frames[2].header("ack"), "client");
    EXPECT_EQ(frames[3].command, Command::Ack);
    EXPECT_EQ(frames[4].command, Command::Disconnect);
    EXPECT_EQ(*frames[4].header("receipt"), "77");
}

TEST(StompDecoder, SessionWhole) {
    Reader r;
    ASSERT_TRUE(r.feed(kSession));
    expect_session(r.frames());
    EXPECT_EQ(r.buffered(), 0u);
    EXPECT_EQ(r.heartbeats(), 2u);  // the EOL after SEND's NUL, and the two EOLs together
}

TEST(StompDecoder, SessionByteByByte) {
    Reader r;
    for (char c : kSession) ASSERT_TRUE(r.feed(std::string_view(&c, 1)));
    expect_session(r.frames());
}

TEST(StompDecoder, SessionSplitAtEveryOffset) {
    for (std::size_t cut = 0; cut <= kSession.size(); ++cut) {
        Reader r;
        ASSERT_TRUE(r.feed(std::string_view(kSession).substr(0, cut))) << cut;
        ASSERT_TRUE(r.feed(std::string_view(kSession).substr(cut))) << cut;
        expect_session(r.frames());
    }
}

TEST(StompDecoder, PrefixesNeedMore) {
    const std::string frame = "SEND\ndestination:/topic/x\ncontent-length:3\n\na\0b\0"s;
    for (std::size_t n = 1; n < frame.size(); ++n) {
        Decoder d;
        Frame f;
        EXPECT_EQ(d.decode(bytes(std::string_view(frame).substr(0, n)), f).status,
                  DecodeStatus::NeedMore)
            << n;
    }
}

TEST(StompDecoder, HeartbeatsAloneAndCrlf) {
    Decoder d;
    Frame f;
    auto r = d.decode(bytes("\n\r\n\n"), f);
    EXPECT_EQ(r.status, DecodeStatus::Heartbeat);
    EXPECT_EQ(r.consumed, 4u);
    // A lone CR may be the start of a CRLF heart-beat.
    EXPECT_EQ(d.decode(bytes("\r"), f).status, DecodeStatus::NeedMore);
    EXPECT_EQ(d.decode(bytes(""), f).status, DecodeStatus::NeedMore);
}

TEST(StompDecoder, ContentLengthBodyWithNuls) {
    const std::string body = "a\0b\0\0c"s;
    const std::string in = "SEND\ndestination:/queue/b\ncontent-length:6\n\n"s + body + "\0"s;
    auto frames = decode_all(in, Version::V1_2);
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0].body, body);
}

TEST(StompDecoder, ContentLengthZeroAndEmptyBody) {
    auto frames = decode_all("SEND\ncontent-length:0\n\n\0SEND\n\n\0"s, Version::V1_2);
    ASSERT_EQ(frames.size(), 2u);
    EXPECT_EQ(frames[0].body, "");
    EXPECT_EQ(frames[1].body, "");
}

TEST(StompDecoder, CrlfLineEndings) {
    auto frames =
        decode_all("MESSAGE\r\nsubscription:0\r\nmessage-id:7\r\n\r\nbody\r\n\0\r\n"s, Version::V1_2);
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(*frames[0].header("subscription"), "0");
    EXPECT_EQ(*frames[0].header("message-id"), "7");
    EXPECT_EQ(frames[0].body, "body\r\n");  // the body is bytes, EOLs included
}

TEST(StompDecoder, RepeatedHeaderFirstWins) {
    auto frames = decode_all("MESSAGE\nfoo:World\nfoo:Hello\n\n\0"s, Version::V1_2);
    ASSERT_EQ(frames.size(), 1u);
    ASSERT_EQ(frames[0].headers.size(), 1u);
    EXPECT_EQ(*frames[0].header("foo"), "World");
}

TEST(StompDecoder, RawColonInValueIsKept) {
    auto frames = decode_all("SEND\ndestination:/topic/a:b\ntime:12:30\n\n\0"s, Version::V1_2);
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(*frames[0].header("destination"), "/topic/a:b");
    EXPECT_EQ(*frames[0].header("time"), "12:30");
}

TEST(StompDecoder, EmptyValue) {
    auto frames = decode_all("SEND\nempty:\n\n\0"s, Version::V1_1);
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(*frames[0].header("empty"), "");
}

TEST(StompDecoder, LargeBodyInManyReads) {
    const std::string body(1 << 20, 'x');
    const std::string in = "SEND\ndestination:/queue/big\n\n"s + body + "\0"s;
    Reader r;
    for (std::size_t off = 0; off < in.size(); off += 4096) {
        ASSERT_TRUE(r.feed(std::string_view(in).substr(off, 4096)));
    }
    ASSERT_EQ(r.frames().size(), 1u);
    EXPECT_EQ(r.frames()[0].body, body);
}

TEST(StompDecoder, DecoderIsReusableAfterAFrame) {
    Decoder d;
    Frame f;
    const std::string a = "BEGIN\ntransaction:t\n\n\0"s;
    auto r = d.decode(bytes(a), f);
    ASSERT_EQ(r.status, DecodeStatus::Complete);
    EXPECT_EQ(r.consumed, a.size());
    r = d.decode(bytes("COMMIT\ntransaction:t\n\n\0"s), f);
    ASSERT_EQ(r.status, DecodeStatus::Complete);
    EXPECT_EQ(f.command, Command::Commit);
}

TEST(StompDecoder, EveryCommandIsKnown) {
    for (auto c : {Command::Connect, Command::Stomp, Command::Send, Command::Subscribe,
                   Command::Unsubscribe, Command::Ack, Command::Nack, Command::Begin,
                   Command::Commit, Command::Abort, Command::Disconnect, Command::Connected,
                   Command::Message, Command::Receipt, Command::Error}) {
        EXPECT_EQ(parse_command(to_string(c)), c);
    }
    EXPECT_FALSE(parse_command("send"));
    EXPECT_FALSE(parse_command("SEND "));
}

}  // namespace
}  // namespace sy::stomp::test
