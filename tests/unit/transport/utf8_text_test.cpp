#include "protocols/transport/utf8_text.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sy::transport {
namespace {

bool text(const std::string& s) {
    return is_utf8_text(std::as_bytes(std::span(s)));
}

TEST(Utf8Text, AsciiAndEmpty) {
    EXPECT_TRUE(text(""));
    EXPECT_TRUE(text("MESSAGE\ndestination:/topic/a\n\nhello\n"));
    EXPECT_TRUE(text(std::string("with NUL\0inside", 15))) << "STOMP frames end in NUL";
}

TEST(Utf8Text, WellFormedMultibyte) {
    EXPECT_TRUE(text("caf\xc3\xa9"));            // U+00E9
    EXPECT_TRUE(text("\xe2\x82\xac 20"));        // U+20AC
    EXPECT_TRUE(text("\xf0\x9f\x8c\xa1 temp"));  // U+1F321
    EXPECT_TRUE(text("\xf4\x8f\xbf\xbf"));       // U+10FFFF
    EXPECT_TRUE(text("\xef\xbb\xbf" + std::string("BOM is a character")));
}

TEST(Utf8Text, IllFormedIsBinary) {
    EXPECT_FALSE(text("\xff"));
    EXPECT_FALSE(text("\xc0\xaf"));          // overlong '/'
    EXPECT_FALSE(text("\xed\xa0\x80"));      // surrogate U+D800
    EXPECT_FALSE(text("\xf4\x90\x80\x80"));  // above U+10FFFF
    EXPECT_FALSE(text("\x80"));              // lone continuation
    EXPECT_FALSE(text("abc\xe2\x82"));       // truncated at the end
}

// The eight-byte ASCII skip must not step over a bad byte wherever it sits, nor misjudge a
// sequence that straddles a word boundary.
TEST(Utf8Text, EveryOffsetAroundTheWordSkip) {
    for (std::size_t pos = 0; pos < 24; ++pos) {
        std::string good(24, 'a');
        good.insert(pos, "\xe2\x82\xac");
        EXPECT_TRUE(text(good)) << pos;
        std::string bad(24, 'a');
        bad[pos] = '\xfe';
        EXPECT_FALSE(text(bad)) << pos;
        std::string cut(24, 'a');
        cut.insert(pos, "\xe2\x82");  // a three-byte sequence missing its last byte
        EXPECT_FALSE(text(cut)) << pos;
    }
}

TEST(Utf8Text, RandomBinaryIsRejected) {
    // A typical binary payload (e.g. a protobuf or image) has bytes >= 0xF5 or stray
    // continuations early on.
    std::vector<std::byte> bytes;
    for (int i = 0; i < 4096; ++i) bytes.push_back(static_cast<std::byte>((i * 131 + 7) & 0xFF));
    EXPECT_FALSE(is_utf8_text(bytes));
}

}  // namespace
}  // namespace sy::transport
