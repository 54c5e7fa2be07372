// The compact serialization (RFC 7515 section 7.1): splitting, base64url
// strictness, header checks, size limits, and payload parsing.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "test_util.hpp"

namespace authjwt {
namespace {

using namespace testutil;

// parseCompact with the token, scratch and result kept together.
class Parsed {
public:
    explicit Parsed(std::string compact,
                    std::size_t maxSize = kDefaultMaxTokenSize)
        : compact_(std::move(compact)),
          scratch_(tokenScratchSize(compact_.size()))
    {
        status = parseCompact(compact_, maxSize, scratch_.data(),
                              scratch_.size(), token);
    }
    Parsed(const Parsed &) = delete;
    Parsed &operator=(const Parsed &) = delete;

    const std::string &compact() const { return compact_; }

    Status status;
    Token token;

private:
    std::string compact_;
    std::vector<unsigned char> scratch_;
};

// A token with the given header and payload texts and a fixed signature.
std::string token(std::string_view header, std::string_view payload = "{}",
                  std::string_view signature = "sig")
{
    return withSignature(header, payload, signature);
}

const std::string kHeader = R"({"alg":"HS256"})";

// ---------------------------------------------------------------------
// What a successful parse yields

TEST(TokenParse, FillsEveryField)
{
    std::string payload = R"({"sub":"alice"})";
    std::string signature = "\x01\x02\x03\xff";
    Parsed p(withSignature(R"({"alg":"ES256","kid":"k1"})", payload,
                           signature));
    ASSERT_EQ(p.status, Status::Ok);
    EXPECT_EQ(p.token.signingInput,
              b64(R"({"alg":"ES256","kid":"k1"})") + "." + b64(payload));
    EXPECT_EQ(p.token.payloadText, payload);
    EXPECT_EQ(p.token.algName, "ES256");
    EXPECT_EQ(p.token.alg, std::optional<Alg>(Alg::ES256));
    ASSERT_TRUE(p.token.kid);
    EXPECT_EQ(*p.token.kid, "k1");
    ASSERT_EQ(p.token.signatureSize, signature.size());
    EXPECT_EQ(std::string(reinterpret_cast<const char *>(p.token.signature),
                          p.token.signatureSize),
              signature);
    EXPECT_FALSE(p.token.headerTree) << "not built before it is asked";
    const json_t *header = parsedHeader(p.token);
    ASSERT_TRUE(json_is_object(header));
    EXPECT_STREQ(json_string_value(json_object_get(header, "kid")), "k1");
    EXPECT_EQ(parsedHeader(p.token), header) << "built once";
}

TEST(TokenParse, SigningInputIsTheReceivedText)
{
    // What the signature covers is the text as sent, not a re-encoding.
    Parsed p(token(kHeader, R"({"a":1})"));
    ASSERT_EQ(p.status, Status::Ok);
    EXPECT_EQ(p.token.signingInput.data(), p.compact().data());
    EXPECT_EQ(p.token.signingInput,
              p.compact().substr(0, p.compact().rfind('.')));
}

TEST(TokenParse, KidIsOptional)
{
    Parsed p(token(kHeader));
    ASSERT_EQ(p.status, Status::Ok);
    EXPECT_FALSE(p.token.kid);

    Parsed empty(token(R"({"alg":"HS256","kid":""})"));
    ASSERT_EQ(empty.status, Status::Ok);
    ASSERT_TRUE(empty.token.kid);
    EXPECT_EQ(*empty.token.kid, "");
}

TEST(TokenParse, UnknownAlgorithmsParseWithoutAnAlg)
{
    // "alg" is checked against the allowlist later; parsing only records
    // it, so that "none" is reported as a refused algorithm.
    for (const char *name : {"none", "None", "NONE", "hs256", "HS257", "",
                             "RSA-OAEP", "ES256K", "Ed25519"})
    {
        Parsed p(token(headerFor(name)));
        ASSERT_EQ(p.status, Status::Ok) << name;
        EXPECT_EQ(p.token.algName, name);
        EXPECT_FALSE(p.token.alg) << name;
    }
}

TEST(TokenParse, EveryAlgorithmNameIsRecognised)
{
    for (Alg alg : allAlgs()) {
        Parsed p(token(headerFor(alg)));
        ASSERT_EQ(p.status, Status::Ok);
        EXPECT_EQ(p.token.alg, std::optional<Alg>(alg));
    }
}

TEST(TokenParse, OtherHeaderMembersAreIgnored)
{
    Parsed p(token(R"({"typ":"JWT","cty":"x","alg":"RS256","x5t":"abc",)"
                   R"("jku":"https://evil.example/keys",)"
                   R"("jwk":{"kty":"oct"}})"));
    ASSERT_EQ(p.status, Status::Ok);
    EXPECT_EQ(p.token.alg, std::optional<Alg>(Alg::RS256));
}

TEST(TokenParse, EmptyPayloadAndEmptySignatureParse)
{
    // An unsigned token is refused later, by its algorithm or signature.
    Parsed p(b64(kHeader) + "..");
    ASSERT_EQ(p.status, Status::Ok);
    EXPECT_EQ(p.token.payloadText, "");
    EXPECT_EQ(p.token.signatureSize, 0u);
    EXPECT_EQ(p.token.signingInput, b64(kHeader) + ".");
}

// ---------------------------------------------------------------------
// Presence and size

TEST(TokenParse, EmptyIsMissing)
{
    EXPECT_EQ(parseStatus(""), Status::Missing);
}

TEST(TokenParse, LongerThanTheMaximumIsTooLarge)
{
    std::string t = token(kHeader);
    EXPECT_EQ(parseStatus(t, t.size()), Status::Ok);
    EXPECT_EQ(parseStatus(t, t.size() - 1), Status::TooLarge);
    EXPECT_EQ(parseStatus(t, 0), Status::TooLarge);
    // Size is checked first, before the shape.
    EXPECT_EQ(parseStatus(std::string(9000, '.')), Status::TooLarge);
    EXPECT_EQ(parseStatus(std::string(kDefaultMaxTokenSize, 'A')),
              Status::Malformed);
    EXPECT_EQ(parseStatus(std::string(kDefaultMaxTokenSize + 1, 'A')),
              Status::TooLarge);
}

TEST(TokenParse, TooLittleScratchIsAnInternalError)
{
    std::string t = token(kHeader);
    std::vector<unsigned char> scratch(tokenScratchSize(t.size()));
    Token out;
    EXPECT_EQ(parseCompact(t, kDefaultMaxTokenSize, scratch.data(),
                           scratch.size() - 1, out),
              Status::InternalError);
    EXPECT_EQ(parseCompact(t, kDefaultMaxTokenSize, scratch.data(), 0, out),
              Status::InternalError);
    EXPECT_EQ(parseCompact(t, kDefaultMaxTokenSize, scratch.data(),
                           scratch.size(), out),
              Status::Ok);
}

TEST(TokenParse, ScratchOfTheDocumentedSizeAlwaysSuffices)
{
    // Header, payload and signature of every length mix up to a few
    // blocks: the documented scratch size is always enough.
    for (std::size_t p = 0; p < 12; p++) {
        for (std::size_t s = 0; s < 12; s++) {
            std::string t = token(kHeader, std::string(p, 'x'),
                                  std::string(s, '\xff'));
            EXPECT_EQ(parseStatus(t), Status::Ok) << p << " " << s;
        }
    }
}

TEST(TokenParse, ScratchSufficesForUnescapedHeaderValues)
{
    // The worst case for the scratch: a header that is nearly all "kid",
    // escaped so that it must be copied yet hardly shrinks, and the other
    // parts empty or short.
    for (std::size_t n = 0; n < 200; n += 7) {
        std::string kid = "\\/" + std::string(n, 'x');
        std::string header = R"({"alg":"HS\u0032\u0035\u0036","kid":")"
                             + kid + "\"}";
        for (std::size_t s = 0; s < 3; s++) {
            Parsed p(b64(header) + ".." + b64(std::string(s, 'x')));
            ASSERT_EQ(p.status, Status::Ok) << header;
            EXPECT_EQ(p.token.algName, "HS256");
            ASSERT_TRUE(p.token.kid);
            EXPECT_EQ(*p.token.kid, "/" + std::string(n, 'x'));
            EXPECT_EQ(p.token.headerText, header);
            EXPECT_EQ(p.token.signatureSize, s);
        }
    }
}

TEST(TokenParse, HeaderTreeIsBuiltOnDemandFromTheHeaderText)
{
    std::string header =
        R"({"alg":"HS256","typ":"JWT","x":[1,{"y":"\u00e9"}]})";
    Parsed p(token(header, R"({"sub":"alice"})", "signature"));
    ASSERT_EQ(p.status, Status::Ok);
    EXPECT_EQ(p.token.headerText, header);
    EXPECT_FALSE(p.token.headerTree);
    const json_t *tree = parsedHeader(p.token);
    ASSERT_NE(tree, nullptr);
    EXPECT_EQ(jsonCompactText(tree),
              jsonCompactText(Json::parse(header).get()));
    // The payload and signature the scratch also holds are untouched.
    EXPECT_EQ(p.token.payloadText, R"({"sub":"alice"})");
    EXPECT_EQ(std::string(reinterpret_cast<const char *>(p.token.signature),
                          p.token.signatureSize),
              "signature");
}

TEST(TokenParse, AReusedTokenKeepsNothingOfTheLast)
{
    std::string first = token(R"({"alg":"HS256","kid":"a"})");
    std::vector<unsigned char> scratch(tokenScratchSize(first.size()));
    Token t;
    ASSERT_EQ(parseCompact(first, kDefaultMaxTokenSize, scratch.data(),
                           scratch.size(), t),
              Status::Ok);
    ASSERT_NE(parsedHeader(t), nullptr);
    std::string second = token(R"({"alg":"HS256","kid":1})");
    std::vector<unsigned char> scratch2(tokenScratchSize(second.size()));
    EXPECT_EQ(parseCompact(second, kDefaultMaxTokenSize, scratch2.data(),
                           scratch2.size(), t),
              Status::BadHeader);
    EXPECT_FALSE(t.headerTree);
    EXPECT_FALSE(t.kid);
}

// ---------------------------------------------------------------------
// Shape: exactly three parts

TEST(TokenParse, NotThreePartsIsMalformed)
{
    std::string h = b64(kHeader);
    std::string p = b64("{}");
    EXPECT_EQ(parseStatus(h), Status::Malformed);
    EXPECT_EQ(parseStatus(h + "." + p), Status::Malformed);
    EXPECT_EQ(parseStatus(h + "." + p + ".c2ln.c2ln"), Status::Malformed);
    // A JWE compact serialization has five parts.
    EXPECT_EQ(parseStatus(h + "." + p + ".a.b.c"), Status::Malformed);
    EXPECT_EQ(parseStatus("."), Status::Malformed);
    EXPECT_EQ(parseStatus("..."), Status::Malformed);
    EXPECT_EQ(parseStatus(h + "." + p + ".c2ln."), Status::Malformed);
}

TEST(TokenParse, EmptyHeaderIsMalformed)
{
    EXPECT_EQ(parseStatus("." + b64("{}") + ".c2ln"), Status::Malformed);
    EXPECT_EQ(parseStatus(".."), Status::Malformed);
}

// ---------------------------------------------------------------------
// base64url strictness, in each part

// The token with one part replaced by the given text (0 header, 1
// payload, 2 signature).
std::string withPart(int index, const std::string &text)
{
    std::string parts[3] = {b64(kHeader), b64("{}"), b64("sig")};
    parts[index] = text;
    return parts[0] + "." + parts[1] + "." + parts[2];
}

TEST(TokenParse, BadBase64UrlInAnyPartIsMalformed)
{
    for (int part = 0; part < 3; part++) {
        std::string good = part == 0 ? b64(kHeader)
                           : part == 1 ? b64("{}")
                                       : b64("sig");
        SCOPED_TRACE("part " + std::to_string(part));
        EXPECT_EQ(parseStatus(withPart(part, good)), Status::Ok);
        // A character outside the alphabet.
        EXPECT_EQ(parseStatus(withPart(part, good + "!!")), Status::Malformed);
        EXPECT_EQ(parseStatus(withPart(part, "*" + good.substr(1))),
                  Status::Malformed);
        EXPECT_EQ(parseStatus(withPart(part, good + " ")), Status::Malformed);
        EXPECT_EQ(parseStatus(withPart(part, good + "\n")), Status::Malformed);
        // 4k + 1 characters.
        std::string pad = good;
        while (pad.size() % 4 != 1) {
            pad += 'A';
        }
        EXPECT_EQ(parseStatus(withPart(part, pad)), Status::Malformed);
    }
}

TEST(TokenParse, PaddingIsMalformed)
{
    // "{}" is "e30" unpadded, "e30=" padded.
    EXPECT_EQ(parseStatus(withPart(1, "e30")), Status::Ok);
    EXPECT_EQ(parseStatus(withPart(1, "e30=")), Status::Malformed);
    // "sig" is 3 bytes ("c2ln"); "si" is "c2k", padded "c2k=".
    EXPECT_EQ(parseStatus(withPart(2, "c2k")), Status::Ok);
    EXPECT_EQ(parseStatus(withPart(2, "c2k=")), Status::Malformed);
    EXPECT_EQ(parseStatus(withPart(2, "cw==")), Status::Malformed);
    std::string header = b64(R"({"alg":"HS256","x":12})");
    ASSERT_NE(header.size() % 4, 0u);
    std::string padded = header;
    while (padded.size() % 4 != 0) {
        padded += '=';
    }
    EXPECT_EQ(parseStatus(withPart(0, header)), Status::Ok);
    EXPECT_EQ(parseStatus(withPart(0, padded)), Status::Malformed);
}

TEST(TokenParse, StandardBase64CharactersAreMalformed)
{
    // 0xfb 0xff: "-_8" in base64url, "+/8" in base64.
    EXPECT_EQ(parseStatus(withPart(2, "-_8")), Status::Ok);
    EXPECT_EQ(parseStatus(withPart(2, "+_8")), Status::Malformed);
    EXPECT_EQ(parseStatus(withPart(2, "-/8")), Status::Malformed);
    EXPECT_EQ(parseStatus(withPart(2, "+/8")), Status::Malformed);
    EXPECT_EQ(parseStatus(withPart(1, "e30+")), Status::Malformed);
    EXPECT_EQ(parseStatus(withPart(1, "e30/")), Status::Malformed);
}

// text with the lowest unused bit of its last character set (text must
// end in a partial group).
std::string withSpareBitSet(std::string text)
{
    const std::string alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::size_t value = alphabet.find(text.back());
    text.back() = alphabet[value | 1];
    return text;
}

TEST(TokenParse, NonCanonicalTrailingBitsAreMalformed)
{
    // "e30" is "{}"; "e31" has the two spare bits set.
    EXPECT_EQ(parseStatus(withPart(1, "e31")), Status::Malformed);
    // "c2k" is "si"; "c2l" differs only in the spare bits.
    EXPECT_EQ(parseStatus(withPart(2, "c2l")), Status::Malformed);
    // In the header and the signature: set the lowest spare bit.
    std::string header = b64(R"({"alg":"HS256" })");
    ASSERT_NE(header.size() % 4, 0u);
    EXPECT_EQ(parseStatus(withPart(0, header)), Status::Ok);
    EXPECT_EQ(parseStatus(withPart(0, withSpareBitSet(header))),
              Status::Malformed);
    std::string sig = b64("sig!");
    EXPECT_EQ(parseStatus(withPart(2, sig)), Status::Ok);
    EXPECT_EQ(parseStatus(withPart(2, withSpareBitSet(sig))),
              Status::Malformed);
}

// ---------------------------------------------------------------------
// The header

TEST(TokenParse, HeaderThatIsNotAJsonObjectIsBadHeader)
{
    for (const char *header : {R"(["alg","HS256"])", R"("HS256")", "42",
                               "null", "true", "{", "alg=HS256",
                               R"({"alg":"HS256"} trailing)",
                               R"({"alg":"HS256"}{})"})
    {
        EXPECT_EQ(parseStatus(token(header)), Status::BadHeader) << header;
    }
}

TEST(TokenParse, HeaderWithoutAStringAlgIsBadHeader)
{
    for (const char *header : {R"({})", R"({"typ":"JWT"})", R"({"alg":256})",
                               R"({"alg":null})", R"({"alg":["HS256"]})",
                               R"({"alg":{"name":"HS256"}})",
                               R"({"alg":true})", R"({"ALG":"HS256"})"})
    {
        EXPECT_EQ(parseStatus(token(header)), Status::BadHeader) << header;
    }
}

TEST(TokenParse, KidThatIsNotAStringIsBadHeader)
{
    for (const char *header : {R"({"alg":"HS256","kid":1})",
                               R"({"alg":"HS256","kid":null})",
                               R"({"alg":"HS256","kid":["a"]})",
                               R"({"alg":"HS256","kid":{}})",
                               R"({"alg":"HS256","kid":false})"})
    {
        EXPECT_EQ(parseStatus(token(header)), Status::BadHeader) << header;
    }
}

TEST(TokenParse, DuplicateHeaderMembersAreBadHeader)
{
    // Two parsers could pick different "alg" values otherwise.
    EXPECT_EQ(parseStatus(token(R"({"alg":"none","alg":"HS256"})")),
              Status::BadHeader);
    EXPECT_EQ(parseStatus(token(R"({"alg":"HS256","alg":"HS256"})")),
              Status::BadHeader);
    EXPECT_EQ(parseStatus(token(R"({"alg":"HS256","kid":"a","kid":"b"})")),
              Status::BadHeader);
    EXPECT_EQ(parseStatus(token(R"({"alg":"HS256","\u0061lg":"none"})")),
              Status::BadHeader);
}

TEST(TokenParse, NulInHeaderIsBadHeader)
{
    EXPECT_EQ(parseStatus(token(R"({"alg":"HS256","kid":"a\u0000b"})")),
              Status::BadHeader);
    EXPECT_EQ(parseStatus(token(R"({"alg":"HS256\u0000"})")),
              Status::BadHeader);
    EXPECT_EQ(parseStatus(token(std::string("{\"alg\":\"HS256\"}\0", 16))),
              Status::BadHeader);
}

TEST(TokenParse, DeeplyNestedHeaderIsBadHeaderQuickly)
{
    std::string nested = R"({"alg":"HS256","x":)" + std::string(10000, '[')
                         + std::string(10000, ']') + "}";
    std::string t = token(nested);
    auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(parseStatus(t, t.size()), Status::BadHeader);
    auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_LT(elapsed, std::chrono::seconds(1));

    std::string objects;
    for (int i = 0; i < 10000; i++) {
        objects += R"({"a":)";
    }
    objects += "1" + std::string(10000, '}');
    std::string t2 = token(objects);
    EXPECT_EQ(parseStatus(t2, t2.size()), Status::BadHeader);
}

TEST(TokenParse, HeaderNestingUpToTheLimitIsAccepted)
{
    // The header object itself is one level.
    auto header = [](std::size_t inner) {
        return R"({"alg":"HS256","x":)" + std::string(inner, '[')
               + std::string(inner, ']') + "}";
    };
    EXPECT_EQ(parseStatus(token(header(kMaxJsonDepth - 1))), Status::Ok);
    EXPECT_EQ(parseStatus(token(header(kMaxJsonDepth))), Status::BadHeader);
}

TEST(TokenParse, CritIsUnsupported)
{
    // RFC 7515 4.1.11: no extension is understood, so any "crit" refuses.
    for (const char *header : {R"({"alg":"HS256","crit":["exp"]})",
                               R"({"alg":"HS256","crit":[]})",
                               R"({"alg":"HS256","crit":"b64"})",
                               R"({"alg":"HS256","crit":null})",
                               R"({"alg":"ES256","b64":false,"crit":["b64"]})"})
    {
        EXPECT_EQ(parseStatus(token(header)), Status::UnsupportedCrit)
            << header;
    }
}

TEST(TokenParse, CritIsCheckedAfterTheHeaderShape)
{
    EXPECT_EQ(parseStatus(token(R"({"crit":["x"]})")), Status::BadHeader);
    EXPECT_EQ(parseStatus(token(R"({"alg":"HS256","kid":7,"crit":["x"]})")),
              Status::BadHeader);
    // And before the other parts are decoded.
    EXPECT_EQ(parseStatus(b64(R"({"alg":"HS256","crit":["x"]})") + ".!.!"),
              Status::UnsupportedCrit);
}

TEST(TokenParse, HeaderIsCheckedBeforeTheOtherParts)
{
    EXPECT_EQ(parseStatus(b64("[]") + ".!!!.!!!"), Status::BadHeader);
    EXPECT_EQ(parseStatus("!!!.!!!.!!!"), Status::Malformed);
    EXPECT_EQ(parseStatus(b64(kHeader) + ".e30.!!!"), Status::Malformed);
    EXPECT_EQ(parseStatus(b64(kHeader) + ".!!!.c2ln"), Status::Malformed);
}

// ---------------------------------------------------------------------
// parsePayload

Status payloadStatus(std::string_view text)
{
    Token t;
    t.payloadText = text;
    Json payload;
    return parsePayload(t, payload);
}

TEST(TokenPayload, ObjectIsAccepted)
{
    Token t;
    t.payloadText = R"({"sub":"alice","n":1})";
    Json payload;
    ASSERT_EQ(parsePayload(t, payload), Status::Ok);
    EXPECT_TRUE(json_is_object(payload.get()));
    EXPECT_STREQ(json_string_value(json_object_get(payload.get(), "sub")),
                 "alice");
    EXPECT_EQ(payloadStatus("{}"), Status::Ok);
}

TEST(TokenPayload, NotAnObjectIsBadPayload)
{
    for (const char *text : {"[]", R"(["sub"])", R"("alice")", "42", "null",
                             "true", "", "{", "not json", R"({"a":1} x)"})
    {
        EXPECT_EQ(payloadStatus(text), Status::BadPayload) << text;
    }
}

TEST(TokenPayload, DuplicateClaimsAreBadPayload)
{
    EXPECT_EQ(payloadStatus(R"({"sub":"alice","sub":"admin"})"),
              Status::BadPayload);
    EXPECT_EQ(payloadStatus(R"({"exp":1,"exp":9999999999})"),
              Status::BadPayload);
    EXPECT_EQ(payloadStatus(R"({"o":{"r":1,"r":2}})"), Status::BadPayload);
}

TEST(TokenPayload, DeeplyNestedPayloadIsBadPayload)
{
    std::string nested = R"({"x":)" + std::string(10000, '[')
                         + std::string(10000, ']') + "}";
    auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(payloadStatus(nested), Status::BadPayload);
    EXPECT_LT(std::chrono::steady_clock::now() - start,
              std::chrono::seconds(1));
}

TEST(TokenPayload, NulIsBadPayload)
{
    EXPECT_EQ(payloadStatus(R"({"sub":"a\u0000b"})"), Status::BadPayload);
    EXPECT_EQ(payloadStatus(std::string("{\"sub\":\"a\0b\"}", 13)),
              Status::BadPayload);
}

TEST(TokenPayload, PayloadFromParseCompactIsTheDecodedPart)
{
    Parsed p(token(kHeader, R"({"iss":"joe"})"));
    ASSERT_EQ(p.status, Status::Ok);
    Json payload;
    ASSERT_EQ(parsePayload(p.token, payload), Status::Ok);
    EXPECT_STREQ(json_string_value(json_object_get(payload.get(), "iss")),
                 "joe");
}

}  // namespace
}  // namespace authjwt
