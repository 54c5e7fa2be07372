// Revocation lists: the text and JSON formats and their errors, the
// digest, the table image and its lookups, and the check of a verified
// token.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "core/revocation.hpp"
#include "test_util.hpp"

namespace authjwt {
namespace {

using namespace testutil;

// A list that must parse.
RevocationList listOf(const std::string &text)
{
    RevocationHasher hasher;
    RevocationList list;
    std::string error;
    EXPECT_TRUE(parseRevocationList(text, "revoked.txt", hasher, list, error))
        << error;
    return list;
}

// The error of a list that must not parse.
std::string errorOf(const std::string &text)
{
    RevocationHasher hasher;
    RevocationList list;
    std::string error;
    EXPECT_FALSE(parseRevocationList(text, "revoked.txt", hasher, list,
                                     error))
        << text;
    EXPECT_EQ(list.size(), 0u);
    EXPECT_EQ(list.fields, 0u);
    return error;
}

std::uint64_t digestOf(RevokedField field, std::string_view value)
{
    RevocationHasher hasher;
    std::optional<std::uint64_t> digest = hasher.digest(field, value);
    EXPECT_TRUE(digest);
    return digest.value_or(0);
}

// A list with its table image, 8-byte aligned.
struct Built {
    explicit Built(const std::string &text)
        : list(listOf(text)),
          image((revocationTableSize(list.size()) + 7) / 8)
    {
        EXPECT_TRUE(writeRevocationTable(list, image.data(),
                                         image.size() * 8));
    }

    RevocationTable table() const
    {
        return RevocationTable(image.data(), image.size() * 8);
    }

    bool lists(RevokedField field, std::string_view value) const
    {
        return table().contains(digestOf(field, value));
    }

    RevocationList list;
    std::vector<std::uint64_t> image;
};

// ---------------------------------------------------------------------
// The digest

TEST(Revocation, DigestIsTheFirstBytesOfSha256OverNameNulValue)
{
    const std::string input("sub\0alice", 9);
    unsigned char md[32];
    std::size_t size = 0;
    ASSERT_EQ(EVP_Q_digest(nullptr, "SHA256", nullptr, input.data(),
                           input.size(), md, &size), 1);
    std::uint64_t expected = 0;
    for (int i = 0; i < 8; i++) {
        expected = (expected << 8) | md[i];
    }
    EXPECT_EQ(digestOf(RevokedField::Sub, "alice"), expected);
}

TEST(Revocation, DigestSeparatesFields)
{
    std::uint64_t jti = digestOf(RevokedField::Jti, "x");
    std::uint64_t sub = digestOf(RevokedField::Sub, "x");
    std::uint64_t kid = digestOf(RevokedField::Kid, "x");
    EXPECT_NE(jti, sub);
    EXPECT_NE(sub, kid);
    EXPECT_NE(jti, kid);
}

// ---------------------------------------------------------------------
// The text format

TEST(Revocation, TextFormatFieldsAndBareJti)
{
    Built b("# revoked after the incident\n"
            "\n"
            "jti 4f1c2a\n"
            "sub alice@example.com\n"
            "kid old-key\n"
            "bare-jti-7\n");
    EXPECT_EQ(b.list.size(), 4u);
    EXPECT_EQ(b.list.fields, kAllRevokedFields);
    EXPECT_TRUE(b.lists(RevokedField::Jti, "4f1c2a"));
    EXPECT_TRUE(b.lists(RevokedField::Sub, "alice@example.com"));
    EXPECT_TRUE(b.lists(RevokedField::Kid, "old-key"));
    EXPECT_TRUE(b.lists(RevokedField::Jti, "bare-jti-7"));

    // a value is listed for its field only
    EXPECT_FALSE(b.lists(RevokedField::Sub, "4f1c2a"));
    EXPECT_FALSE(b.lists(RevokedField::Jti, "alice@example.com"));
    EXPECT_FALSE(b.lists(RevokedField::Jti, "old-key"));
    EXPECT_FALSE(b.lists(RevokedField::Jti, "4f1c2"));
    EXPECT_FALSE(b.lists(RevokedField::Jti, "# revoked after the incident"));
}

TEST(Revocation, TextFormatBlanksLineEndingsAndBom)
{
    Built b("\xef\xbb\xbf" "jti first\r\n"
            "  \tsub   spaced out value \t\r\n"
            "kid\tk1\n"
            "   # an indented comment\n"
            "\t\n"
            "last-without-newline");
    EXPECT_EQ(b.list.size(), 4u);
    EXPECT_TRUE(b.lists(RevokedField::Jti, "first"));
    // blanks around a value are separators, blanks inside belong to it
    EXPECT_TRUE(b.lists(RevokedField::Sub, "spaced out value"));
    EXPECT_FALSE(b.lists(RevokedField::Sub, "spaced out value \t"));
    EXPECT_TRUE(b.lists(RevokedField::Kid, "k1"));
    EXPECT_TRUE(b.lists(RevokedField::Jti, "last-without-newline"));
}

TEST(Revocation, FieldsOnlyThoseListed)
{
    EXPECT_EQ(listOf("kid a\nkid b\n").fields, revokedBit(RevokedField::Kid));
    EXPECT_EQ(listOf("x\nsub y\n").fields,
              revokedBit(RevokedField::Jti) | revokedBit(RevokedField::Sub));
    EXPECT_EQ(listOf("").fields, 0u);
    EXPECT_EQ(listOf("# nothing yet\n\n").size(), 0u);
}

TEST(Revocation, DuplicatesAreCountedOnce)
{
    RevocationList list = listOf("a\njti a\n  a\nsub a\n");
    EXPECT_EQ(list.size(), 2u);
    for (std::size_t i = 1; i < list.digests.size(); i++) {
        EXPECT_LT(list.digests[i - 1], list.digests[i]);
    }
}

TEST(Revocation, TextErrorsNameFileAndLine)
{
    EXPECT_EQ(errorOf("jti a\n# c\n\njit abc\n"),
              "revoked.txt:4: unknown field \"jit\": a line is \"jti VALUE\", "
              "\"sub VALUE\", \"kid VALUE\" or a bare jti without blanks");
    // a bare value with a blank is a misspelt field, never a jti
    EXPECT_EQ(errorOf("two words\n").find("revoked.txt:1: unknown field "
                                          "\"two\": a line is"),
              0u);
    EXPECT_EQ(errorOf("ok\r\nsub\r\n"),
              "revoked.txt:2: \"sub\" without a value");
    EXPECT_EQ(errorOf("kid   \n"), "revoked.txt:1: \"kid\" without a value");
    EXPECT_EQ(errorOf("a\nb\nsub x\x01y\n"),
              "revoked.txt:3: the value contains a control character");
    EXPECT_EQ(errorOf("a\x7f\n"),
              "revoked.txt:1: the value contains a control character");
    EXPECT_EQ(errorOf(std::string("a\0b\n", 4)),
              "revoked.txt:1: the value contains a control character");
    EXPECT_EQ(errorOf("sub Jos\xe9\n"),
              "revoked.txt:1: the value is not valid UTF-8");
    // "JTI" is not "jti": field names are case-sensitive, like claims
    EXPECT_NE(errorOf("JTI abc\n").find("unknown field \"JTI\""),
              std::string::npos);
}

TEST(Revocation, Utf8IsCheckedStrictly)
{
    EXPECT_EQ(listOf("sub Jos\xc3\xa9\n").size(), 1u);
    EXPECT_EQ(listOf("sub \xe2\x82\xac \xf0\x9f\x94\x91\n").size(), 1u);

    const char *bad[] = {
        "\xc0\xaf",             // overlong "/"
        "\xe0\x80\xaf",         // overlong, three bytes
        "\xed\xa0\x80",         // a surrogate
        "\xf4\x90\x80\x80",     // beyond U+10FFFF
        "\xe2\x82",             // truncated
        "\x80",                 // a lone continuation byte
        "\xff",
    };
    for (const char *value : bad) {
        EXPECT_EQ(errorOf(std::string("sub a") + value + "\n"),
                  "revoked.txt:1: the value is not valid UTF-8")
            << value;
    }
}

// ---------------------------------------------------------------------
// The JSON format

TEST(Revocation, JsonFormat)
{
    Built b("\n  {\"jti\": [\"j1\", \"j2\"],\n"
            "   \"sub\": [\" leading blank\", \"tab\\there\"],\n"
            "   \"kid\": []}\n");
    EXPECT_EQ(b.list.size(), 4u);
    // an empty array names no field
    EXPECT_EQ(b.list.fields,
              revokedBit(RevokedField::Jti) | revokedBit(RevokedField::Sub));
    EXPECT_TRUE(b.lists(RevokedField::Jti, "j1"));
    EXPECT_TRUE(b.lists(RevokedField::Jti, "j2"));
    // JSON holds the values the text format cannot
    EXPECT_TRUE(b.lists(RevokedField::Sub, " leading blank"));
    EXPECT_TRUE(b.lists(RevokedField::Sub, "tab\there"));
    EXPECT_FALSE(b.lists(RevokedField::Sub, "j1"));

    EXPECT_EQ(listOf("{}").fields, 0u);
}

TEST(Revocation, JsonErrors)
{
    EXPECT_EQ(errorOf("{\"jti\": [\"a\"],\n \"jtis\": [\"b\"]}"),
              "revoked.txt: unknown member \"jtis\": expected \"jti\", "
              "\"sub\" or \"kid\"");
    EXPECT_EQ(errorOf("{\"sub\": \"alice\"}"),
              "revoked.txt: \"sub\" is not an array of strings");
    EXPECT_EQ(errorOf("{\"jti\": [\"a\", 7]}"),
              "revoked.txt: \"jti\"[1] is not a string");
    EXPECT_EQ(errorOf("{\"kid\": [\"\"]}"), "revoked.txt: \"kid\"[0] is empty");
    EXPECT_EQ(errorOf("{\"jti\": [[\"a\"]]}"),
              "revoked.txt: a JSON list is an object of arrays of strings, "
              "nested no deeper");
    // duplicate members could hide entries
    EXPECT_NE(errorOf("{\"jti\": [\"a\"], \"jti\": [\"b\"]}")
                  .find("revoked.txt:1: invalid JSON: duplicate object key"),
              std::string::npos);
    EXPECT_NE(errorOf("{\"jti\": [\n\"a\",\n\"b\"\n}").find("revoked.txt:4: "
                                                             "invalid JSON"),
              std::string::npos);
    EXPECT_NE(errorOf("{\"jti\": [\"a\\u0000b\"]}").find("invalid JSON"),
              std::string::npos);
    EXPECT_EQ(errorOf(std::string("{\"jti\": [\"a\"]}\0", 15)),
              "revoked.txt: invalid JSON: a NUL byte");
    // only an object starts with "{": an array is a bare jti, and has a
    // blank here
    EXPECT_NE(errorOf("[\"a\", \"b\"]").find("unknown field"),
              std::string::npos);
}

// ---------------------------------------------------------------------
// The table

TEST(Revocation, TableSize)
{
    // a header of 32 bytes, (n / 2 + 2) offsets of 4 bytes padded to 8,
    // 8 bytes per digest: about 10 bytes an entry
    EXPECT_EQ(revocationTableSize(0), 32u + 8u);
    EXPECT_EQ(revocationTableSize(1), 32u + 8u + 8u);
    EXPECT_EQ(revocationTableSize(4), 32u + 16u + 32u);
    EXPECT_EQ(revocationTableSize(1000000), 32u + 2000008u + 8000000u);
}

TEST(Revocation, EmptyTable)
{
    Built b("");
    RevocationTable table = b.table();
    EXPECT_TRUE(table.valid());
    EXPECT_EQ(table.size(), 0u);
    EXPECT_EQ(table.fields(), 0u);
    EXPECT_FALSE(table.contains(0));
    EXPECT_FALSE(table.contains(UINT64_MAX));
}

TEST(Revocation, WriteRefusesASmallOrMisalignedBuffer)
{
    RevocationList list = listOf("a\nb\nc\n");
    std::vector<std::uint64_t> image(64);
    std::size_t size = revocationTableSize(list.size());

    EXPECT_FALSE(writeRevocationTable(list, image.data(), size - 1));
    EXPECT_FALSE(writeRevocationTable(
        list, reinterpret_cast<unsigned char *>(image.data()) + 4, size));
    EXPECT_TRUE(writeRevocationTable(list, image.data(), size));
}

TEST(Revocation, ViewRefusesInconsistentImages)
{
    Built b("a\nsub b\n");
    std::size_t size = revocationTableSize(b.list.size());
    ASSERT_TRUE(b.table().valid());

    EXPECT_FALSE(RevocationTable(nullptr, size).valid());
    EXPECT_FALSE(RevocationTable(b.image.data(), size - 1).valid());
    EXPECT_FALSE(RevocationTable(b.image.data(), 16).valid());

    for (std::size_t word : {0, 1, 2, 3}) {
        Built damaged("a\nsub b\n");
        damaged.image[word] ^= 0x40;
        RevocationTable table = damaged.table();
        EXPECT_FALSE(table.valid()) << "header word " << word;
        EXPECT_FALSE(table.contains(digestOf(RevokedField::Jti, "a")));
        EXPECT_EQ(table.fields(), 0u);
    }

    std::vector<std::uint64_t> zeros(16, 0);
    EXPECT_FALSE(RevocationTable(zeros.data(), zeros.size() * 8).valid());
}

TEST(Revocation, ManyEntriesAllFoundOthersNot)
{
    std::string text;
    for (int i = 0; i < 100000; i++) {
        text += (i % 3 == 0 ? "sub user-" : "jti id-") + std::to_string(i)
                + "\n";
    }
    Built b(text);
    ASSERT_EQ(b.list.size(), 100000u);
    RevocationTable table = b.table();
    ASSERT_TRUE(table.valid());
    EXPECT_EQ(table.size(), 100000u);

    for (int i = 0; i < 100000; i++) {
        bool sub = i % 3 == 0;
        std::string value = (sub ? "user-" : "id-") + std::to_string(i);
        ASSERT_TRUE(table.contains(digestOf(
            sub ? RevokedField::Sub : RevokedField::Jti, value)))
            << value;
        ASSERT_FALSE(table.contains(digestOf(
            sub ? RevokedField::Jti : RevokedField::Sub, value)))
            << value;
    }

    // every listed digest is found, and its neighbours are not
    for (std::uint64_t d : b.list.digests) {
        ASSERT_TRUE(table.contains(d));
        ASSERT_FALSE(table.contains(d + 1));
        ASSERT_FALSE(table.contains(d - 1));
    }

    std::mt19937_64 random(7);
    for (int i = 0; i < 100000; i++) {
        std::uint64_t d = random();
        EXPECT_EQ(table.contains(d),
                  std::binary_search(b.list.digests.begin(),
                                     b.list.digests.end(), d));
    }
    EXPECT_FALSE(table.contains(0));
    EXPECT_FALSE(table.contains(UINT64_MAX));
}

// ---------------------------------------------------------------------
// Tokens

const std::string kHeaderKid = headerFor(Alg::HS256, "k1");

std::string token(const std::string &payload,
                  const std::string &header = kHeaderKid)
{
    return mint(header, payload, hmacSigner(Alg::HS256, kSecret32));
}

VerifyOptions deferred()
{
    VerifyOptions options;
    options.deferPayload = true;
    return options;
}

Status check(const Built &b, const std::string &compact)
{
    KeySet keys = keySetOf(secretKey(kSecret32, "k1"),
                           secretKey(kSecret32, "k-old"));
    Verification v(compact, keys, deferred());
    EXPECT_EQ(v.status, Status::Ok);
    RevocationHasher hasher;
    return checkRevocation(b.table(), hasher, v.out);
}

TEST(Revocation, TokensByJtiSubAndKid)
{
    Built b("jti j-revoked\nsub mallory\nkid k-old\n12345\n");

    EXPECT_EQ(check(b, token(R"({"exp":2000000000,"jti":"j-revoked"})")),
              Status::Revoked);
    EXPECT_EQ(check(b, token(R"({"exp":2000000000,"sub":"mallory"})")),
              Status::Revoked);
    EXPECT_EQ(check(b, token(R"({"exp":2000000000,"sub":"alice"})",
                             headerFor(Alg::HS256, "k-old"))),
              Status::Revoked);
    // a number is listed by its decimal text
    EXPECT_EQ(check(b, token(R"({"exp":2000000000,"jti":12345})")),
              Status::Revoked);
    // escapes are decoded before the lookup
    EXPECT_EQ(check(b, token(R"({"exp":2000000000,"sub":"mall\u006fry"})")),
              Status::Revoked);

    EXPECT_EQ(check(b, token(R"({"exp":2000000000,"jti":"j-ok",)"
                             R"("sub":"alice"})")),
              Status::Ok);
    // the value of another field does not count
    EXPECT_EQ(check(b, token(R"({"exp":2000000000,"jti":"mallory",)"
                             R"("sub":"j-revoked"})")),
              Status::Ok);
    // only strings and integers are values
    EXPECT_EQ(check(b, token(R"({"exp":2000000000,"sub":["mallory"],)"
                             R"("jti":12345.0})")),
              Status::Ok);
    EXPECT_EQ(check(b, token(R"({"exp":2000000000})",
                             headerFor(Alg::HS256))),
              Status::Ok);
}

TEST(Revocation, NoPayloadTreeIsBuilt)
{
    KeySet keys = keySetOf(secretKey(kSecret32, "k1"));
    RevocationHasher hasher;
    Built subs("sub mallory\nkid k-old\n");

    Verification v(token(R"({"exp":2000000000,"sub":"mallory"})"), keys,
                   deferred());
    ASSERT_EQ(v.status, Status::Ok);
    ASSERT_FALSE(v.out.payload);
    EXPECT_EQ(checkRevocation(subs.table(), hasher, v.out), Status::Revoked);
    EXPECT_FALSE(v.out.payload);

    // a tree built already (by a rule or a variable) is used
    ASSERT_NE(verifiedPayload(v.out), nullptr);
    EXPECT_EQ(checkRevocation(subs.table(), hasher, v.out), Status::Revoked);
}

// The values read from the payload text, as the tree would give them.
struct Read {
    Status status;
    std::uint64_t jti, sub;
    unsigned present;
};

Read readBoth(const std::string &payload, bool tree)
{
    KeySet keys = keySetOf(secretKey(kSecret32, "k1"));
    Verification v(token(payload), keys, deferred());
    EXPECT_EQ(v.status, Status::Ok) << payload;
    if (tree) {
        EXPECT_NE(verifiedPayload(v.out), nullptr);
    }
    RevocationHasher hasher;
    RevocationKeys k;
    Status s = revocationKeys(v.out, revokedBit(RevokedField::Jti)
                                         | revokedBit(RevokedField::Sub),
                              hasher, k);
    return {s, k.digests[0], k.digests[1], k.present};
}

void expectClaims(const std::string &payload, const char *jti,
                  const char *sub)
{
    for (bool tree : {false, true}) {
        Read r = readBoth(payload, tree);
        SCOPED_TRACE(payload + (tree ? " (tree)" : " (walk)"));
        EXPECT_EQ(r.status, Status::Ok);
        unsigned expected = (jti ? revokedBit(RevokedField::Jti) : 0)
                            | (sub ? revokedBit(RevokedField::Sub) : 0);
        EXPECT_EQ(r.present, expected);
        if (jti) {
            EXPECT_EQ(r.jti, digestOf(RevokedField::Jti, jti));
        }
        if (sub) {
            EXPECT_EQ(r.sub, digestOf(RevokedField::Sub, sub));
        }
    }
}

TEST(Revocation, PayloadValuesWithoutATree)
{
    expectClaims(R"({"exp":2000000000,"jti":"j","sub":"s"})", "j", "s");
    expectClaims(R"({"exp":2000000000})", nullptr, nullptr);
    // escapes, in values and in names
    expectClaims(R"({"exp":2000000000,"\u006a\u0074i":"a\"b\\c\/d",)"
                 R"("s\u0075b":"\n\t\b\f\r"})",
                 "a\"b\\c/d", "\n\t\b\f\r");
    expectClaims(R"({"exp":2000000000,"sub":"\u00e9\u20ac\ud83d\udd11"})",
                 nullptr, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x94\x91");
    expectClaims(R"({"exp":2000000000,"sub":"Jos\u00e9 \u00c9"})", nullptr,
                 "Jos\xc3\xa9 \xc3\x89");
    // integers as their decimal text; reals, booleans, null, arrays and
    // objects are no value
    expectClaims(R"({"exp":2000000000,"jti":12345,"sub":-7})", "12345",
                 "-7");
    expectClaims(R"({"exp":2000000000,"jti":-0,"sub":9223372036854775807})",
                 "0", "9223372036854775807");
    expectClaims(R"({"exp":2000000000,"jti":1.0,"sub":1e3})", nullptr,
                 nullptr);
    expectClaims(R"({"exp":2000000000,"jti":true,"sub":null})", nullptr,
                 nullptr);
    expectClaims(R"({"exp":2000000000,"jti":["a"],"sub":{"sub":"b"}})",
                 nullptr, nullptr);
    // nested members are not the claims; brackets and quotes in strings
    // do not confuse the walk
    expectClaims(R"({"a":{"jti":"inner","b":["}",{"sub":"x"}]},"x":"]\"{",)"
                 R"("n":[1,[2,[3]],{}],"t":true,"f":false,"z":null,)"
                 R"("r":-1.5e+3,"exp":2000000000,"sub":"outer"})",
                 nullptr, "outer");
    // whitespace anywhere JSON allows it
    expectClaims(" \n{ \"exp\" : 2000000000 ,\t\"jti\"\r\n:\t42 , \"sub\" :"
                 " \"s\" } \n", "42", "s");
}

TEST(Revocation, KeysAreComputedOncePerField)
{
    KeySet keys = keySetOf(secretKey(kSecret32, "k1"));
    RevocationHasher hasher;
    Verification v(token(R"({"exp":2000000000,"sub":"alice"})"), keys,
                   deferred());
    ASSERT_EQ(v.status, Status::Ok);

    RevocationKeys k;
    ASSERT_EQ(revocationKeys(v.out, revokedBit(RevokedField::Kid), hasher, k),
              Status::Ok);
    EXPECT_EQ(k.looked, revokedBit(RevokedField::Kid));
    EXPECT_EQ(k.present, revokedBit(RevokedField::Kid));
    EXPECT_FALSE(v.out.payload);

    ASSERT_EQ(revocationKeys(v.out, kAllRevokedFields, hasher, k), Status::Ok);
    EXPECT_EQ(k.looked, kAllRevokedFields);
    // no jti in this token
    EXPECT_EQ(k.present,
              revokedBit(RevokedField::Kid) | revokedBit(RevokedField::Sub));
    EXPECT_EQ(k.digests[1], digestOf(RevokedField::Sub, "alice"));
    EXPECT_EQ(k.digests[2], digestOf(RevokedField::Kid, "k1"));
}

TEST(Revocation, AnInvalidTableFailsClosed)
{
    Built b("jti x\n");
    b.image[0] = 0;
    EXPECT_EQ(check(b, token(R"({"exp":2000000000,"jti":"y"})")),
              Status::InternalError);
}

}  // namespace
}  // namespace authjwt
