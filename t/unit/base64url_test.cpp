// Strict base64url (RFC 4648 section 5) and padded standard base64
// (section 4): round trips, and every way an encoding can be refused.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "core/base64url.hpp"

namespace authjwt {
namespace {

std::optional<std::string> decode(std::string_view in)
{
    return decodeBase64Url(in);
}

// The buffer form, with exactly the documented bound of space.
std::optional<std::string> decodeIntoBuffer(std::string_view in)
{
    std::vector<unsigned char> out(base64UrlDecodedSize(in.size()));
    auto n = decodeBase64Url(in, out.data(), out.size());
    if (!n) {
        return std::nullopt;
    }
    return std::string(out.begin(), out.begin() + *n);
}

TEST(Base64Url, Rfc4648TestVectors)
{
    // RFC 4648 section 10, without the padding base64url omits.
    const std::pair<const char *, const char *> vectors[] = {
        {"", ""},         {"f", "Zg"},          {"fo", "Zm8"},
        {"foo", "Zm9v"},  {"foob", "Zm9vYg"},   {"fooba", "Zm9vYmE"},
        {"foobar", "Zm9vYmFy"},
    };
    for (const auto &[plain, encoded] : vectors) {
        EXPECT_EQ(encodeBase64Url(plain), encoded);
        EXPECT_EQ(decode(encoded), std::string(plain)) << encoded;
        EXPECT_EQ(decodeIntoBuffer(encoded), std::string(plain)) << encoded;
    }
}

TEST(Base64Url, UsesTheUrlSafeAlphabet)
{
    // 0xfb 0xff is "+/8" in standard base64.
    EXPECT_EQ(encodeBase64Url("\xfb\xff"), "-_8");
    EXPECT_EQ(decode("-_8"), std::string("\xfb\xff"));
    EXPECT_EQ(encodeBase64Url(std::string("\0\0\0", 3)), "AAAA");
    EXPECT_EQ(encodeBase64Url("\xff\xff\xff"), "____");
}

TEST(Base64Url, RoundTripsRandomBytesOfEveryLengthUpTo64)
{
    std::mt19937 rng(7515);
    std::uniform_int_distribution<int> byte(0, 255);
    for (std::size_t len = 0; len <= 64; len++) {
        for (int round = 0; round < 8; round++) {
            std::string bytes(len, '\0');
            for (char &c : bytes) {
                c = static_cast<char>(byte(rng));
            }
            std::string encoded = encodeBase64Url(bytes);
            // No padding: 4 characters per 3 bytes, then 2 or 3.
            EXPECT_EQ(encoded.size(), (len * 4 + 2) / 3);
            EXPECT_EQ(encoded.find('='), std::string::npos);
            EXPECT_LE(len, base64UrlDecodedSize(encoded.size()));
            EXPECT_EQ(decode(encoded), bytes) << "length " << len;
            EXPECT_EQ(decodeIntoBuffer(encoded), bytes) << "length " << len;
        }
    }
}

TEST(Base64Url, EveryByteValueRoundTrips)
{
    std::string all;
    for (int i = 0; i < 256; i++) {
        all += static_cast<char>(i);
    }
    EXPECT_EQ(decode(encodeBase64Url(all)), all);
}

TEST(Base64Url, RefusesPadding)
{
    EXPECT_EQ(decode("Zg=="), std::nullopt);
    EXPECT_EQ(decode("Zg="), std::nullopt);
    EXPECT_EQ(decode("Zm8="), std::nullopt);
    EXPECT_EQ(decode("="), std::nullopt);
    EXPECT_EQ(decode("===="), std::nullopt);
    EXPECT_EQ(decode("Zm9v===="), std::nullopt);
}

TEST(Base64Url, RefusesTheStandardAlphabetsExtraCharacters)
{
    EXPECT_EQ(decode("+_8"), std::nullopt);
    EXPECT_EQ(decode("-/8"), std::nullopt);
    EXPECT_EQ(decode("+/8"), std::nullopt);
}

TEST(Base64Url, RefusesEveryCharacterOutsideTheAlphabet)
{
    const std::string alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (int c = 0; c < 256; c++) {
        bool valid = alphabet.find(static_cast<char>(c)) != std::string::npos;
        // At each position of a 4-character group.
        for (std::size_t pos = 0; pos < 4; pos++) {
            std::string text = "AAAA";
            text[pos] = static_cast<char>(c);
            if (valid) {
                EXPECT_NE(decode(text), std::nullopt) << c;
            } else {
                EXPECT_EQ(decode(text), std::nullopt) << c << " at " << pos;
            }
        }
    }
}

TEST(Base64Url, RefusesWhitespaceAndSeparators)
{
    EXPECT_EQ(decode("Zm9v Zm9v"), std::nullopt);
    EXPECT_EQ(decode("Zm9v\nZm9v"), std::nullopt);
    EXPECT_EQ(decode("Zm9v\r\n"), std::nullopt);
    EXPECT_EQ(decode(" Zm9v"), std::nullopt);
    EXPECT_EQ(decode("Zm9v."), std::nullopt);
    EXPECT_EQ(decode(std::string("Zm\0v", 4)), std::nullopt);
}

TEST(Base64Url, RefusesImpossibleLengths)
{
    // 4k + 1 characters cannot encode whole bytes.
    EXPECT_EQ(decode("A"), std::nullopt);
    EXPECT_EQ(decode("AAAAA"), std::nullopt);
    EXPECT_EQ(decode("Zm9vYmFyZ"), std::nullopt);
    EXPECT_EQ(decode(""), std::string());
}

TEST(Base64Url, RefusesNonZeroTrailingBits)
{
    // "QQ" is 'A' with four zero bits left over; "QR" .. "QZ" set them.
    EXPECT_EQ(decode("QQ"), std::string("A"));
    for (char c : std::string("RSTUVWXYZabcdef")) {
        EXPECT_EQ(decode(std::string("Q") + c), std::nullopt) << c;
    }
    // Three characters leave two bits: "QUI" is "AB", "QUJ" .. "QUL" not.
    EXPECT_EQ(decode("QUI"), std::string("AB"));
    EXPECT_EQ(decode("QUJ"), std::nullopt);
    EXPECT_EQ(decode("QUK"), std::nullopt);
    EXPECT_EQ(decode("QUL"), std::nullopt);
    // The same after whole groups.
    EXPECT_EQ(decode("Zm9vQR"), std::nullopt);
    EXPECT_EQ(decode("Zm9vQUJ"), std::nullopt);
}

TEST(Base64Url, EachByteStringHasOneAcceptedEncoding)
{
    // For every 1- and 2-byte string, count the accepted texts that decode
    // to it among all texts of the matching length: exactly one.
    const std::string alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::vector<int> hits(256, 0);
    for (char a : alphabet) {
        for (char b : alphabet) {
            std::optional<std::string> bytes = decode(std::string{a, b});
            if (bytes) {
                ASSERT_EQ(bytes->size(), 1u);
                hits[static_cast<unsigned char>((*bytes)[0])]++;
            }
        }
    }
    for (int i = 0; i < 256; i++) {
        EXPECT_EQ(hits[i], 1) << "byte " << i;
    }
}

TEST(Base64Url, BufferFormRefusesWhatDoesNotFit)
{
    unsigned char out[8];
    // "Zm9vYmFy" is 6 bytes.
    using Size = std::optional<std::size_t>;
    EXPECT_EQ(decodeBase64Url("Zm9vYmFy", out, 6), Size(6));
    EXPECT_EQ(decodeBase64Url("Zm9vYmFy", out, 5), std::nullopt);
    EXPECT_EQ(decodeBase64Url("Zm9vYmE", out, 5), Size(5));
    EXPECT_EQ(decodeBase64Url("Zm9vYmE", out, 4), std::nullopt);
    EXPECT_EQ(decodeBase64Url("", out, 0), Size(0));
    EXPECT_EQ(decodeBase64Url("Zg", out, 0), std::nullopt);
    EXPECT_EQ(std::string(reinterpret_cast<char *>(out), 5), "fooba");
}

TEST(Base64Url, DecodedSizeIsAnUpperBound)
{
    for (std::size_t n = 0; n < 200; n++) {
        std::size_t rest = n % 4;
        std::size_t exact = n / 4 * 3 + (rest == 0 ? 0 : rest - 1);
        if (rest != 1) {
            EXPECT_LE(exact, base64UrlDecodedSize(n)) << n;
        }
    }
}

TEST(Base64Std, DecodesPaddedText)
{
    EXPECT_EQ(decodeBase64(""), std::string());
    EXPECT_EQ(decodeBase64("Zg=="), std::string("f"));
    EXPECT_EQ(decodeBase64("Zm8="), std::string("fo"));
    EXPECT_EQ(decodeBase64("Zm9v"), std::string("foo"));
    EXPECT_EQ(decodeBase64("Zm9vYg=="), std::string("foob"));
    EXPECT_EQ(decodeBase64("Zm9vYmE="), std::string("fooba"));
    EXPECT_EQ(decodeBase64("Zm9vYmFy"), std::string("foobar"));
    // The standard alphabet's own characters.
    EXPECT_EQ(decodeBase64("+/8="), std::string("\xfb\xff"));
}

TEST(Base64Std, RefusesMissingOrExcessPadding)
{
    EXPECT_EQ(decodeBase64("Zg"), std::nullopt);
    EXPECT_EQ(decodeBase64("Zg="), std::nullopt);
    EXPECT_EQ(decodeBase64("Zm8"), std::nullopt);
    EXPECT_EQ(decodeBase64("Zg==="), std::nullopt);
    EXPECT_EQ(decodeBase64("Z==="), std::nullopt);
    EXPECT_EQ(decodeBase64("===="), std::nullopt);
    EXPECT_EQ(decodeBase64("Zm9v===="), std::nullopt);
    // Padding only at the end.
    EXPECT_EQ(decodeBase64("Zg==Zm9v"), std::nullopt);
    EXPECT_EQ(decodeBase64("Z=g="), std::nullopt);
}

TEST(Base64Std, RefusesTheUrlAlphabetAndWhitespace)
{
    EXPECT_EQ(decodeBase64("-_8="), std::nullopt);
    EXPECT_EQ(decodeBase64("Zm9v\n"), std::nullopt);
    EXPECT_EQ(decodeBase64("Zm9v Zm9v"), std::nullopt);
    EXPECT_EQ(decodeBase64("Zm9v\r\nZm9v"), std::nullopt);
    EXPECT_EQ(decodeBase64(" Zg=="), std::nullopt);
}

TEST(Base64Std, RefusesNonZeroTrailingBits)
{
    EXPECT_EQ(decodeBase64("QQ=="), std::string("A"));
    EXPECT_EQ(decodeBase64("QR=="), std::nullopt);
    EXPECT_EQ(decodeBase64("QUI="), std::string("AB"));
    EXPECT_EQ(decodeBase64("QUJ="), std::nullopt);
}

TEST(Base64Std, RoundTripsWithTheUrlEncoder)
{
    // Standard base64 is the URL form with "+/" and padding.
    std::mt19937 rng(4648);
    std::uniform_int_distribution<int> byte(0, 255);
    for (std::size_t len = 0; len <= 64; len++) {
        std::string bytes(len, '\0');
        for (char &c : bytes) {
            c = static_cast<char>(byte(rng));
        }
        std::string text = encodeBase64Url(bytes);
        for (char &c : text) {
            c = c == '-' ? '+' : c == '_' ? '/' : c;
        }
        while (text.size() % 4 != 0) {
            text += '=';
        }
        EXPECT_EQ(decodeBase64(text), bytes) << text;
    }
}

}  // namespace
}  // namespace authjwt
