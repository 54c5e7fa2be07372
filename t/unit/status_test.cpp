// The status table: stable codes and phrases, and a scenario reaching each
// status through the public entry points.
#include <gtest/gtest.h>

#include <cctype>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/revocation.hpp"
#include "test_util.hpp"

namespace authjwt {
namespace {

using namespace testutil;

// Every Status value, in declaration order. test_util.hpp's kAllStatuses
// predates IssuedInFuture .. RequireFailed and is not this file's to
// change, so the status tests use this complete list instead.
const std::vector<Status> kStatuses = {
    Status::Ok,              Status::Missing,
    Status::TooLarge,        Status::Malformed,
    Status::BadHeader,       Status::UnsupportedCrit,
    Status::AlgNotAllowed,   Status::UnknownKid,
    Status::NoKey,           Status::BadSignature,
    Status::BadPayload,      Status::MissingExp,
    Status::BadTimeClaim,    Status::Expired,
    Status::NotYetValid,     Status::IssuedInFuture,
    Status::MissingIat,      Status::LifetimeTooLong,
    Status::IssuerMismatch,  Status::AudienceMismatch,
    Status::ClaimRuleFailed, Status::RequireFailed,
    Status::Revoked,         Status::KeysUnavailable,
    Status::InternalError,
};

// Set by the nginx glue (an auth_jwt_claims rule, an auth_jwt_require
// value, a key request not answered yet), never by the core: no core
// scenario reaches them, so they are covered by the code and phrase tests
// below only.
const std::set<Status> kSetByTheGlue = {Status::ClaimRuleFailed,
                                        Status::RequireFailed,
                                        Status::KeysUnavailable};

bool isSnakeCase(const std::string &code)
{
    if (code.empty() || code.front() == '_' || code.back() == '_') {
        return false;
    }
    for (std::size_t i = 0; i < code.size(); i++) {
        char c = code[i];
        bool lower = c >= 'a' && c <= 'z';
        if (!lower && c != '_') {
            return false;
        }
        if (c == '_' && code[i + 1] == '_') {
            return false;
        }
    }
    return true;
}

TEST(Status, ListCoversTheWholeEnum)
{
    // kStatuses is in declaration order, ending with InternalError; the
    // value after it is not in the table. A new status appended to the
    // enum makes this fail until the list (and the reachability test
    // below) know about it.
    ASSERT_EQ(kStatuses.size(),
              static_cast<std::size_t>(Status::InternalError) + 1);
    for (std::size_t i = 0; i < kStatuses.size(); i++) {
        EXPECT_EQ(static_cast<std::size_t>(kStatuses[i]), i);
    }
    auto next = static_cast<Status>(
        static_cast<int>(Status::InternalError) + 1);
    EXPECT_STREQ(statusPhrase(next), "unknown status");
}

TEST(Status, CodesAreTheDocumentedOnes)
{
    // These strings are a public interface ($jwt_result): never rename.
    const std::map<Status, std::string> expected = {
        {Status::Ok, "ok"},
        {Status::Missing, "missing"},
        {Status::TooLarge, "too_large"},
        {Status::Malformed, "malformed"},
        {Status::BadHeader, "bad_header"},
        {Status::UnsupportedCrit, "unsupported_crit"},
        {Status::AlgNotAllowed, "alg_not_allowed"},
        {Status::UnknownKid, "unknown_kid"},
        {Status::NoKey, "no_key"},
        {Status::BadSignature, "bad_signature"},
        {Status::BadPayload, "bad_payload"},
        {Status::MissingExp, "missing_exp"},
        {Status::BadTimeClaim, "bad_time_claim"},
        {Status::Expired, "expired"},
        {Status::NotYetValid, "not_yet_valid"},
        {Status::IssuedInFuture, "iat_in_future"},
        {Status::MissingIat, "missing_iat"},
        {Status::LifetimeTooLong, "lifetime_too_long"},
        {Status::IssuerMismatch, "issuer_mismatch"},
        {Status::AudienceMismatch, "audience_mismatch"},
        {Status::ClaimRuleFailed, "claim_rule_failed"},
        {Status::RequireFailed, "require_failed"},
        {Status::Revoked, "revoked"},
        {Status::KeysUnavailable, "keys_unavailable"},
        {Status::InternalError, "internal_error"},
    };
    ASSERT_EQ(expected.size(), kStatuses.size());
    for (Status s : kStatuses) {
        EXPECT_EQ(statusCode(s), expected.at(s));
    }
}

TEST(Status, CodesAreDistinctLowercaseSnakeCase)
{
    std::set<std::string> codes;
    for (Status s : kStatuses) {
        std::string code = statusCode(s);
        EXPECT_TRUE(isSnakeCase(code)) << code;
        EXPECT_TRUE(codes.insert(code).second) << "duplicate " << code;
    }
}

TEST(Status, PhrasesAreDistinctLowercaseAndNonEmpty)
{
    std::set<std::string> phrases;
    for (Status s : kStatuses) {
        std::string phrase = statusPhrase(s);
        EXPECT_FALSE(phrase.empty()) << statusCode(s);
        // Log messages are lowercase and carry no line break.
        EXPECT_FALSE(std::isupper(static_cast<unsigned char>(phrase[0])))
            << phrase;
        EXPECT_EQ(phrase.find('\n'), std::string::npos) << phrase;
        EXPECT_NE(phrase.back(), '.') << phrase;
        EXPECT_TRUE(phrases.insert(phrase).second) << "duplicate " << phrase;
    }
    EXPECT_STREQ(statusPhrase(Status::Expired), "token has expired");
}

TEST(Status, UnknownValuesFallBackToInternalError)
{
    auto bogus = static_cast<Status>(1000);
    EXPECT_STREQ(statusCode(bogus), "internal_error");
    EXPECT_STREQ(statusPhrase(bogus), "unknown status");
}

TEST(Status, OnlyMissingMeansNoTokenWasPresented)
{
    for (Status s : kStatuses) {
        EXPECT_EQ(tokenWasPresented(s), s != Status::Missing) << statusCode(s);
    }
}

// ---------------------------------------------------------------------
// Every status is reached

TEST(Status, EveryStatusIsReachable)
{
    KeySet keys = keySetOf(secretKey(kSecret32, "k"));
    auto hs256 = [](const std::string &header, const std::string &payload) {
        return mint(header, payload, hmacSigner(Alg::HS256, kSecret32));
    };
    const std::string header = headerFor(Alg::HS256);
    VerifyOptions defaults;
    VerifyOptions small;
    small.maxSize = 16;

    std::map<Status, Status> reached;
    auto record = [&reached](Status expected, Status got) {
        EXPECT_EQ(got, expected) << "scenario for " << statusCode(expected);
        reached[expected] = got;
    };

    record(Status::Ok, verifyStatus(hs256(header, kPayload), keys));
    record(Status::Missing, verifyStatus("", keys));
    record(Status::TooLarge,
           verifyStatus(hs256(header, kPayload), keys, small));
    record(Status::Malformed, verifyStatus("a.b", keys));
    record(Status::BadHeader, verifyStatus(hs256("[]", kPayload), keys));
    record(Status::UnsupportedCrit,
           verifyStatus(hs256(R"({"alg":"HS256","crit":["x"]})", kPayload),
                        keys));
    record(Status::AlgNotAllowed,
           verifyStatus(hs256(R"({"alg":"none"})", kPayload), keys));
    record(Status::UnknownKid,
           verifyStatus(hs256(headerFor(Alg::HS256, "other"), kPayload),
                        keys));
    record(Status::NoKey,
           verifyStatus(hs256(headerFor(Alg::RS256), kPayload), keys));
    record(Status::BadSignature,
           verifyStatus(mint(header, kPayload,
                             hmacSigner(Alg::HS256, kSecret64)),
                        keys));
    record(Status::BadPayload, verifyStatus(hs256(header, "[]"), keys));
    record(Status::MissingExp, verifyStatus(hs256(header, "{}"), keys));
    record(Status::BadTimeClaim,
           verifyStatus(hs256(header, R"({"exp":"soon"})"), keys));
    record(Status::Expired,
           verifyStatus(hs256(header, R"({"exp":1})"), keys));
    record(Status::NotYetValid,
           verifyStatus(hs256(header, R"({"exp":4102444800,"nbf":4102444799})"),
                        keys));
    record(Status::IssuedInFuture,
           verifyStatus(hs256(header, R"({"exp":2000000000,"iat":1.9e9})"),
                        keys));
    {
        VerifyOptions maxLifetime;
        maxLifetime.time.maxLifetimeSeconds = 3600;
        record(Status::MissingIat,
               verifyStatus(hs256(header, kPayload), keys, maxLifetime));
        record(Status::LifetimeTooLong,
               verifyStatus(hs256(header, R"({"exp":2000000000,"iat":1})"),
                            keys, maxLifetime));
    }
    {
        const std::vector<std::string> issuers = {"https://idp.example/"};
        const std::vector<std::string> audiences = {"api"};
        VerifyOptions policy;
        policy.issuers = &issuers;
        policy.audiences = &audiences;
        record(Status::IssuerMismatch,
               verifyStatus(hs256(header, R"({"exp":2000000000,"iss":"x"})"),
                            keys, policy));
        record(Status::AudienceMismatch,
               verifyStatus(hs256(header, R"({"exp":2000000000,)"
                                          R"("iss":"https://idp.example/",)"
                                          R"("aud":"web"})"),
                            keys, policy));
    }
    {
        Verification v(hs256(header, R"({"exp":2000000000,"jti":"j1"})"),
                       keys);
        RevocationHasher hasher;
        RevocationList list;
        std::string error;
        ASSERT_TRUE(parseRevocationList("j1", "list", hasher, list, error));
        std::vector<std::uint64_t> image(
            (revocationTableSize(list.size()) + 7) / 8);
        ASSERT_TRUE(writeRevocationTable(list, image.data(),
                                         image.size() * 8));
        record(Status::Revoked,
               checkRevocation(RevocationTable(image.data(),
                                               image.size() * 8),
                               hasher, v.out));
    }
    {
        // The caller gave less scratch than tokenScratchSize asks for.
        std::string t = hs256(header, kPayload);
        std::vector<unsigned char> scratch(tokenScratchSize(t.size()) / 2);
        VerifiedToken out;
        record(Status::InternalError,
               verifyCompact(t, keys, defaults, kNow, scratch.data(),
                             scratch.size(), out));
    }

    for (Status s : kStatuses) {
        if (kSetByTheGlue.count(s) != 0) {
            continue;
        }
        auto it = reached.find(s);
        ASSERT_NE(it, reached.end()) << "no scenario for " << statusCode(s);
        EXPECT_EQ(it->second, s) << statusCode(s);
    }
}

}  // namespace
}  // namespace authjwt
