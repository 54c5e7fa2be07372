// The verified-token cache as verifyCompact uses it, with an in-memory
// fake: what a hit skips (the signature, the parse), what it never skips
// (the allowlist, the key set as it is now, kid selection, time claims,
// issuer, audience), what is stored and until when, and that a cache never
// changes a verdict. Also the key fingerprints entries are bound to.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "test_util.hpp"

namespace authjwt {
namespace {

using namespace testutil;

// A cache in a std::map. With honourExpiry off it keeps serving entries
// past their expiry, so that tests can see the verifier's own time checks.
class FakeCache : public TokenCache {
public:
    struct Stored {
        CachedToken token;
        std::int64_t expires;
    };

    bool lookup(const TokenDigest &digest, std::int64_t now,
                CachedToken &out, std::int64_t &expires) noexcept override
    {
        lookups++;
        auto it = entries.find(digest);
        if (it == entries.end()
            || (honourExpiry && now >= it->second.expires))
        {
            return false;
        }
        out = it->second.token;
        expires = it->second.expires;
        return true;
    }

    void store(const TokenDigest &digest, const CachedToken &token,
               std::int64_t expires) noexcept override
    {
        stores++;
        entries[digest] = Stored{token, expires};
    }

    const Stored *find(const std::string &compact)
    {
        TokenDigest digest;
        EXPECT_TRUE(this->digest(compact, digest));
        auto it = entries.find(digest);
        return it == entries.end() ? nullptr : &it->second;
    }

    std::map<TokenDigest, Stored> entries;
    bool honourExpiry = true;
    int lookups = 0;
    int stores = 0;
};

VerifyOptions cached(FakeCache &cache, VerifyOptions options = {})
{
    options.cache = &cache;
    return options;
}

// Signed with the KeyKind::Rsa key.
std::string rs256(const std::string &payload = kPayload,
                  const char *kid = nullptr)
{
    return mint(headerFor(Alg::RS256, kid), payload,
                pkeySigner(Alg::RS256, testKey(KeyKind::Rsa)));
}

std::string flipSignatureBit(const std::string &compact)
{
    std::size_t dot = compact.rfind('.');
    std::string sig = unb64(compact.substr(dot + 1));
    sig[sig.size() / 2] = static_cast<char>(sig[sig.size() / 2] ^ 1);
    return compact.substr(0, dot + 1) + b64(sig);
}

// ---------------------------------------------------------------------
// Hits and misses

TEST(TokenCache, FirstUseMissesAndStoresThenHits)
{
    FakeCache cache;
    KeySet keys = keySetOf(publicKey(testKey(KeyKind::Rsa)));
    std::string token = rs256();

    Verification first(token, keys, cached(cache));
    EXPECT_EQ(first.status, Status::Ok);
    EXPECT_EQ(first.out.cache, CacheUse::Miss);
    EXPECT_EQ(cache.stores, 1);

    Verification second(token, keys, cached(cache));
    EXPECT_EQ(second.status, Status::Ok);
    EXPECT_EQ(second.out.cache, CacheUse::Hit);
    EXPECT_EQ(cache.stores, 1);
    // the second came from this process's recent tokens
    EXPECT_EQ(cache.lookups, 1);
}

TEST(TokenCache, EntryDescribesTheTokenAndItsKey)
{
    FakeCache cache;
    Key key = publicKey(testKey(KeyKind::Rsa), "k1");
    KeyFingerprint fingerprint = key.fingerprint();
    KeySet keys = keySetOf(std::move(key));
    std::string token = rs256(
        R"({"sub":"a","exp":2000000000,"nbf":1800000000,"iat":1800000001})",
        "k1");

    ASSERT_EQ(verifyStatus(token, keys, cached(cache)), Status::Ok);
    const FakeCache::Stored *stored = cache.find(token);
    ASSERT_NE(stored, nullptr);
    EXPECT_EQ(stored->token.key, fingerprint);
    EXPECT_EQ(stored->token.alg, Alg::RS256);
    EXPECT_TRUE(stored->token.hasKid);
    EXPECT_EQ(stored->token.kidHash, kidHash("k1"));
    EXPECT_EQ(stored->token.times.exp.presence, TimeClaim::Presence::Number);
    EXPECT_EQ(stored->token.times.exp.value, 2000000000);
    EXPECT_EQ(stored->token.times.nbf.value, 1800000000);
    EXPECT_EQ(stored->token.times.iat.value, 1800000001);
}

// A planted entry for a token whose signature is wrong: accepted, so the
// signature was not checked. (A real cache only ever holds tokens the
// verifier accepted.)
TEST(TokenCache, HitSkipsTheSignatureCheck)
{
    FakeCache cache;
    KeySet keys = keySetOf(publicKey(testKey(KeyKind::Rsa)));
    std::string good = rs256();
    std::string forged = flipSignatureBit(good);

    ASSERT_EQ(verifyStatus(forged, keys), Status::BadSignature);
    ASSERT_EQ(verifyStatus(good, keys, cached(cache)), Status::Ok);

    TokenDigest digest;
    ASSERT_TRUE(cache.digest(forged, digest));
    cache.entries[digest] = *cache.find(good);

    Verification v(forged, keys, cached(cache));
    EXPECT_EQ(v.status, Status::Ok);
    EXPECT_EQ(v.out.cache, CacheUse::Hit);
}

TEST(TokenCache, HitParsesTheTokenOnlyWhenRead)
{
    FakeCache cache;
    KeySet keys = keySetOf(publicKey(testKey(KeyKind::Rsa), "k1"));
    std::string token = rs256(R"({"sub":"bob","exp":2000000000})", "k1");
    VerifyOptions options = cached(cache);
    options.deferPayload = true;
    ASSERT_EQ(verifyStatus(token, keys, options), Status::Ok);

    Verification v(token, keys, options);
    ASSERT_EQ(v.status, Status::Ok);
    ASSERT_EQ(v.out.cache, CacheUse::Hit);
    EXPECT_FALSE(v.out.token.alg.has_value());
    EXPECT_FALSE(v.out.payload);

    const json_t *header = verifiedHeader(v.out);
    ASSERT_NE(header, nullptr);
    EXPECT_STREQ(json_string_value(json_object_get(header, "kid")), "k1");
    EXPECT_EQ(v.out.token.alg, Alg::RS256);

    const json_t *payload = verifiedPayload(v.out);
    ASSERT_NE(payload, nullptr);
    EXPECT_STREQ(json_string_value(json_object_get(payload, "sub")), "bob");
    EXPECT_EQ(verifiedHeader(v.out), header);
}

TEST(TokenCache, HitReadsThePayloadFirstToo)
{
    FakeCache cache;
    KeySet keys = keySetOf(publicKey(testKey(KeyKind::Rsa)));
    std::string token = rs256(R"({"sub":"carol","exp":2000000000})");
    VerifyOptions options = cached(cache);
    options.deferPayload = true;
    ASSERT_EQ(verifyStatus(token, keys, options), Status::Ok);

    Verification v(token, keys, options);
    ASSERT_EQ(v.out.cache, CacheUse::Hit);
    const json_t *payload = verifiedPayload(v.out);
    ASSERT_NE(payload, nullptr);
    EXPECT_STREQ(json_string_value(json_object_get(payload, "sub")), "carol");
    ASSERT_NE(verifiedHeader(v.out), nullptr);
    EXPECT_EQ(v.out.token.algName, "RS256");
}

// Without deferPayload, a hit returns the payload and the token at once,
// as the uncached path does.
TEST(TokenCache, HitWithoutDeferralFillsTheResult)
{
    FakeCache cache;
    KeySet keys = keySetOf(publicKey(testKey(KeyKind::Rsa)));
    std::string token = rs256();
    ASSERT_EQ(verifyStatus(token, keys, cached(cache)), Status::Ok);

    Verification v(token, keys, cached(cache));
    ASSERT_EQ(v.out.cache, CacheUse::Hit);
    ASSERT_TRUE(v.out.payload);
    EXPECT_STREQ(json_string_value(json_object_get(v.out.payload.get(),
                                                   "sub")),
                 "alice");
    EXPECT_EQ(v.out.token.alg, Alg::RS256);
}

TEST(TokenCache, EveryAlgorithmHits)
{
    for (Alg alg : allAlgs()) {
        SCOPED_TRACE(algName(alg));
        FakeCache cache;
        KeySet keys = algFamily(alg) == AlgFamily::Hmac
                          ? keySetOf(secretKey(kSecret64))
                          : keySetOf(publicKey(testKey(keyKindFor(alg))));
        std::string token = mint(headerFor(alg), kPayload, signerFor(alg));

        Verification first(token, keys, cached(cache));
        Verification second(token, keys, cached(cache));
        EXPECT_EQ(first.status, Status::Ok);
        EXPECT_EQ(first.out.cache, CacheUse::Miss);
        EXPECT_EQ(second.status, Status::Ok);
        EXPECT_EQ(second.out.cache, CacheUse::Hit);
    }
}

// ---------------------------------------------------------------------
// What a hit still checks

TEST(TokenCache, RemovedKeyMissesAndIsVerifiedInFull)
{
    FakeCache cache;
    KeySet before = keySetOf(publicKey(testKey(KeyKind::Rsa)));
    KeySet after = keySetOf(publicKey(testKey(KeyKind::Rsa2)));
    std::string token = rs256();
    ASSERT_EQ(verifyStatus(token, before, cached(cache)), Status::Ok);

    Verification v(token, after, cached(cache));
    EXPECT_EQ(v.status, Status::BadSignature);
    EXPECT_EQ(v.out.cache, CacheUse::Miss);
    EXPECT_EQ(cache.stores, 1);

    // the entry was not removed: the key may come back
    Verification back(token, before, cached(cache));
    EXPECT_EQ(back.status, Status::Ok);
    EXPECT_EQ(back.out.cache, CacheUse::Hit);
}

TEST(TokenCache, AlgNotAllowedHereIsRefusedEvenIfCached)
{
    FakeCache cache;
    KeySet keys = keySetOf(publicKey(testKey(KeyKind::Rsa)));
    std::string token = rs256();
    ASSERT_EQ(verifyStatus(token, keys, cached(cache)), Status::Ok);

    VerifyOptions options = cached(cache);
    options.allowed = AlgSet::of(Alg::PS256);
    Verification v(token, keys, options);
    EXPECT_EQ(v.status, Status::AlgNotAllowed);
    EXPECT_NE(v.out.cache, CacheUse::Hit);
}

// The same key material bound by its JWK to PS256 has the same fingerprint,
// and still may not verify RS256.
TEST(TokenCache, KeyBoundToAnotherAlgIsNotUsed)
{
    FakeCache cache;
    EVP_PKEY *pkey = testKey(KeyKind::Rsa);
    KeySet any = keySetOf(jwkKey(publicJwk(pkey)));
    KeySet psOnly = keySetOf(jwkKey(publicJwk(pkey, R"(,"alg":"PS256")")));
    ASSERT_EQ(any.keys()[0].fingerprint(), psOnly.keys()[0].fingerprint());
    std::string token = rs256();
    ASSERT_EQ(verifyStatus(token, any, cached(cache)), Status::Ok);

    Verification v(token, psOnly, cached(cache));
    EXPECT_EQ(v.status, Status::NoKey);
    EXPECT_EQ(v.out.cache, CacheUse::Miss);
}

// A token with a kid that a key without kid verified: once a key carrying
// that kid is configured, only that key may verify it.
TEST(TokenCache, KeyWithTheTokensKidTakesOverFromKeysWithout)
{
    FakeCache cache;
    std::string token = rs256(kPayload, "new");
    KeySet plain = keySetOf(publicKey(testKey(KeyKind::Rsa)));
    ASSERT_EQ(verifyStatus(token, plain, cached(cache)), Status::Ok);
    Verification hit(token, plain, cached(cache));
    ASSERT_EQ(hit.status, Status::Ok);
    EXPECT_EQ(hit.out.cache, CacheUse::Hit);

    KeySet both = keySetOf(publicKey(testKey(KeyKind::Rsa)),
                           publicKey(testKey(KeyKind::Rsa2), "new"));
    Verification v(token, both, cached(cache));
    EXPECT_EQ(v.status, Status::BadSignature);
    EXPECT_EQ(v.out.cache, CacheUse::Miss);

    // another kid elsewhere in the set does not matter
    KeySet other = keySetOf(publicKey(testKey(KeyKind::Rsa)),
                            publicKey(testKey(KeyKind::Rsa2), "other"));
    Verification w(token, other, cached(cache));
    EXPECT_EQ(w.status, Status::Ok);
    EXPECT_EQ(w.out.cache, CacheUse::Hit);
}

TEST(TokenCache, KidOfTheKeyMustStillMatch)
{
    FakeCache cache;
    std::string token = rs256(kPayload, "a");
    KeySet withA = keySetOf(publicKey(testKey(KeyKind::Rsa), "a"));
    KeySet withB = keySetOf(publicKey(testKey(KeyKind::Rsa), "b"));
    ASSERT_NE(withA.keys()[0].fingerprint(), withB.keys()[0].fingerprint());
    ASSERT_EQ(verifyStatus(token, withA, cached(cache)), Status::Ok);

    Verification v(token, withB, cached(cache));
    EXPECT_EQ(v.status, Status::UnknownKid);
    EXPECT_EQ(v.out.cache, CacheUse::Miss);
}

// Entries come from the verifier, whose key choice the kid decided; an
// entry that pairs a token with a key of another kid is still not trusted.
TEST(TokenCache, EntryPairingAKidWithAKeyOfAnotherKidIsPassedOver)
{
    FakeCache cache;
    std::string token = rs256(kPayload, "a");
    KeySet withB = keySetOf(publicKey(testKey(KeyKind::Rsa), "b"));
    CachedToken planted;
    planted.key = withB.keys()[0].fingerprint();
    planted.alg = Alg::RS256;
    planted.hasKid = true;
    planted.kidHash = kidHash("a");
    planted.times.exp = {TimeClaim::Presence::Number, 2000000000};
    TokenDigest digest;
    ASSERT_TRUE(cache.digest(token, digest));
    cache.entries[digest] = {planted, kNow + 60};

    Verification v(token, withB, cached(cache));
    EXPECT_EQ(v.status, Status::UnknownKid);
    EXPECT_EQ(v.out.cache, CacheUse::Miss);
}

TEST(TokenCache, TokenWithoutKidHitsAKeyWithKid)
{
    FakeCache cache;
    std::string token = rs256();
    KeySet keys = keySetOf(publicKey(testKey(KeyKind::Rsa2), "x"),
                           publicKey(testKey(KeyKind::Rsa), "y"));
    ASSERT_EQ(verifyStatus(token, keys, cached(cache)), Status::Ok);

    Verification v(token, keys, cached(cache));
    EXPECT_EQ(v.status, Status::Ok);
    EXPECT_EQ(v.out.cache, CacheUse::Hit);
}

TEST(TokenCache, ExpiredTokenIsRefusedEvenWhenCached)
{
    FakeCache cache;
    cache.honourExpiry = false;
    KeySet keys = keySetOf(publicKey(testKey(KeyKind::Rsa)));
    std::string token = rs256(R"({"exp":)" + std::to_string(kNow + 10)
                              + "}");
    ASSERT_EQ(verifyStatus(token, keys, cached(cache), kNow), Status::Ok);

    Verification v(token, keys, cached(cache), kNow + 10);
    EXPECT_EQ(v.status, Status::Expired);
    EXPECT_EQ(v.out.cache, CacheUse::Hit);
    EXPECT_FALSE(v.out.payload);
}

TEST(TokenCache, TimeRulesOfTheLocationApplyOnAHit)
{
    FakeCache cache;
    KeySet keys = keySetOf(publicKey(testKey(KeyKind::Rsa)));
    std::string token = rs256(R"({"iat":)" + std::to_string(kNow)
                              + R"(,"exp":)" + std::to_string(kNow + 3600)
                              + "}");
    ASSERT_EQ(verifyStatus(token, keys, cached(cache)), Status::Ok);

    VerifyOptions strict = cached(cache);
    strict.time.maxLifetimeSeconds = 600;
    Verification v(token, keys, strict);
    EXPECT_EQ(v.status, Status::LifetimeTooLong);
    EXPECT_EQ(v.out.cache, CacheUse::Hit);

    VerifyOptions early = cached(cache);
    Verification w(token, keys, early, kNow - 5);
    EXPECT_EQ(w.status, Status::IssuedInFuture);
    early.time.leewaySeconds = 5;
    Verification x(token, keys, early, kNow - 5);
    EXPECT_EQ(x.status, Status::Ok);
    EXPECT_EQ(x.out.cache, CacheUse::Hit);
}

TEST(TokenCache, NotYetValidTokenIsNotStored)
{
    FakeCache cache;
    KeySet keys = keySetOf(publicKey(testKey(KeyKind::Rsa)));
    std::string token = rs256(R"({"nbf":)" + std::to_string(kNow + 60)
                              + R"(,"exp":2000000000})");

    EXPECT_EQ(verifyStatus(token, keys, cached(cache)), Status::NotYetValid);
    EXPECT_EQ(cache.stores, 0);
    EXPECT_EQ(verifyStatus(token, keys, cached(cache), kNow + 60),
              Status::Ok);
    EXPECT_EQ(cache.stores, 1);
}

TEST(TokenCache, IssuerAndAudienceApplyOnAHit)
{
    FakeCache cache;
    KeySet keys = keySetOf(publicKey(testKey(KeyKind::Rsa)));
    std::string token = rs256(
        R"({"iss":"https://idp","aud":["api","web"],"exp":2000000000})");
    std::vector<std::string> idp = {"https://idp"};
    std::vector<std::string> other = {"https://other"};
    std::vector<std::string> api = {"api"};
    std::vector<std::string> admin = {"admin"};
    ASSERT_EQ(verifyStatus(token, keys, cached(cache)), Status::Ok);

    for (bool defer : {false, true}) {
        SCOPED_TRACE(defer ? "deferPayload" : "eager");
        VerifyOptions options = cached(cache);
        options.deferPayload = defer;
        options.issuers = &idp;
        options.audiences = &api;
        Verification ok(token, keys, options);
        EXPECT_EQ(ok.status, Status::Ok);
        EXPECT_EQ(ok.out.cache, CacheUse::Hit);
        EXPECT_TRUE(ok.out.payload);

        options.issuers = &other;
        Verification badIss(token, keys, options);
        EXPECT_EQ(badIss.status, Status::IssuerMismatch);
        EXPECT_EQ(badIss.out.cache, CacheUse::Hit);
        EXPECT_FALSE(badIss.out.payload);

        options.issuers = &idp;
        options.audiences = &admin;
        Verification badAud(token, keys, options);
        EXPECT_EQ(badAud.status, Status::AudienceMismatch);
        EXPECT_FALSE(badAud.out.payload);
    }
}

TEST(TokenCache, TooLargeComesBeforeTheCache)
{
    FakeCache cache;
    KeySet keys = keySetOf(publicKey(testKey(KeyKind::Rsa)));
    std::string token = rs256();
    ASSERT_EQ(verifyStatus(token, keys, cached(cache)), Status::Ok);

    VerifyOptions small = cached(cache);
    small.maxSize = token.size() - 1;
    Verification v(token, keys, small);
    EXPECT_EQ(v.status, Status::TooLarge);
    EXPECT_EQ(v.out.cache, CacheUse::None);
    EXPECT_EQ(cache.lookups, 1);
}

// ---------------------------------------------------------------------
// What is stored, and until when

TEST(TokenCache, RefusedTokensAreNeverStored)
{
    FakeCache cache;
    cache.honourExpiry = false;
    KeySet keys = keySetOf(publicKey(testKey(KeyKind::Rsa)));
    std::string good = rs256();
    Signer sign = pkeySigner(Alg::RS256, testKey(KeyKind::Rsa));
    std::vector<std::pair<std::string, Status>> refused = {
        {flipSignatureBit(good), Status::BadSignature},
        {rs256(R"({"exp":)" + std::to_string(kNow) + "}"), Status::Expired},
        {rs256(R"({"sub":"x"})"), Status::MissingExp},
        {rs256(R"({"exp":"soon"})"), Status::BadTimeClaim},
        {mint(headerFor(Alg::RS256), R"({"a":1,"a":2})", sign),
         Status::BadPayload},
        {mint(headerFor(Alg::RS256), "[]", sign), Status::BadPayload},
        {mint(headerFor(Alg::ES256), kPayload, sign), Status::NoKey},
        {"not-a-token", Status::Malformed},
    };

    for (const auto &[token, status] : refused) {
        for (int i = 0; i < 2; i++) {
            Verification v(token, keys, cached(cache));
            EXPECT_EQ(v.status, status) << token;
            EXPECT_EQ(v.out.cache, CacheUse::Miss);
        }
    }
    EXPECT_EQ(cache.stores, 0);
    EXPECT_TRUE(cache.entries.empty());
}

TEST(TokenCache, EntryExpiresAtTheTokensExpOrWithinTheCap)
{
    FakeCache cache;
    KeySet keys = keySetOf(publicKey(testKey(KeyKind::Rsa)));
    VerifyOptions noExp = cached(cache);
    noExp.time.requireExp = false;
    struct Case {
        std::string payload;
        std::int64_t expires;
    } cases[] = {
        {R"({"exp":)" + std::to_string(kNow + 90) + "}", kNow + 90},
        {R"({"exp":)" + std::to_string(kNow + 90) + ".75}", kNow + 90},
        {R"({"exp":)" + std::to_string(kNow + 1) + "}", kNow + 1},
        {R"({"exp":1e300})", kNow + kMaxCachedSeconds},
        {R"({"exp":)" + std::to_string(kNow + kMaxCachedSeconds + 1) + "}",
         kNow + kMaxCachedSeconds},
        {R"({"sub":"no exp"})", kNow + kMaxCachedSeconds},
    };

    for (const Case &c : cases) {
        std::string token = rs256(c.payload);
        ASSERT_EQ(verifyStatus(token, keys, noExp), Status::Ok) << c.payload;
        const FakeCache::Stored *stored = cache.find(token);
        ASSERT_NE(stored, nullptr) << c.payload;
        EXPECT_EQ(stored->expires, c.expires) << c.payload;
    }
}

// Accepted within the leeway after exp: not stored, since the entry would
// already have expired.
TEST(TokenCache, TokenPastExpWithinLeewayIsNotStored)
{
    FakeCache cache;
    KeySet keys = keySetOf(publicKey(testKey(KeyKind::Rsa)));
    VerifyOptions lenient = cached(cache);
    lenient.time.leewaySeconds = 60;
    std::string token = rs256(R"({"exp":)" + std::to_string(kNow - 10)
                              + "}");

    EXPECT_EQ(verifyStatus(token, keys, lenient), Status::Ok);
    EXPECT_EQ(verifyStatus(token, keys, lenient), Status::Ok);
    EXPECT_EQ(cache.stores, 0);
}

// ---------------------------------------------------------------------
// A cache never changes a verdict

TEST(TokenCache, VerdictsWithAndWithoutTheCacheAgree)
{
    KeySet keys = keySetOf(secretKey(kSecret64, "hs"),
                           publicKey(testKey(KeyKind::Rsa), "rsa"),
                           publicKey(testKey(KeyKind::P256)),
                           publicKey(testKey(KeyKind::Ed25519), "ed"));
    std::vector<std::string> payloads = {
        kPayload,
        R"({"exp":)" + std::to_string(kNow) + "}",
        R"({"exp":2000000000,"nbf":)" + std::to_string(kNow + 1) + "}",
        R"({"exp":2000000000,"iat":)" + std::to_string(kNow - 7200) + "}",
        R"({"exp":2000000000,"iss":"https://idp","aud":"api"})",
        R"({"sub":"no exp"})",
    };
    std::vector<const char *> kids = {nullptr, "hs", "rsa", "ed", "nobody"};
    std::vector<std::string> tokens;
    for (Alg alg : allAlgs()) {
        for (const char *kid : kids) {
            for (const std::string &payload : payloads) {
                std::string token = mint(headerFor(alg, kid), payload,
                                         signerFor(alg));
                tokens.push_back(token);
                tokens.push_back(flipSignatureBit(token));
            }
        }
    }

    std::vector<std::string> idp = {"https://idp"};
    std::vector<std::string> api = {"api"};
    std::vector<VerifyOptions> configs(5);
    configs[1].allowed = AlgSet::of(Alg::RS256) | AlgSet::of(Alg::EdDSA);
    configs[2].time.maxLifetimeSeconds = 3600;
    configs[2].time.leewaySeconds = 2;
    configs[3].issuers = &idp;
    configs[3].audiences = &api;
    configs[3].deferPayload = true;
    configs[4].time.requireExp = false;
    configs[4].deferPayload = true;

    int hits = 0;
    for (const VerifyOptions &config : configs) {
        FakeCache cache;
        for (const std::string &token : tokens) {
            Status plain = verifyStatus(token, keys, config);
            for (int i = 0; i < 2; i++) {
                Verification v(token, keys, cached(cache, config));
                EXPECT_EQ(v.status, plain) << token;
                hits += v.out.cache == CacheUse::Hit;
            }
        }
    }
    EXPECT_GT(hits, 100);
}

// ---------------------------------------------------------------------
// This process's recent tokens, in front of the shared cache

// Two different tokens that RecentTokens puts in one slot.
std::pair<std::string, std::string> sameSlot()
{
    std::string first = rs256(R"({"sub":"0","exp":4102444800})");
    std::size_t slot =
        std::hash<std::string_view>{}(first) % RecentTokens::kSlots;
    for (int i = 1;; i++) {
        std::string other = first + std::to_string(i);
        if (std::hash<std::string_view>{}(other) % RecentTokens::kSlots
            == slot)
        {
            return {first, other};
        }
    }
}

CachedToken someEntry()
{
    CachedToken entry;
    entry.alg = Alg::RS256;
    entry.times.exp.presence = TimeClaim::Presence::Number;
    entry.times.exp.value = 4102444800;
    return entry;
}

TEST(RecentTokens, MatchesTheExactBytesOnly)
{
    RecentTokens recent;
    std::string token = rs256();
    CachedToken out;
    EXPECT_FALSE(recent.lookup(token, kNow, out));

    recent.remember(token, someEntry(), kNow + 10);
    ASSERT_TRUE(recent.lookup(token, kNow, out));
    EXPECT_EQ(out.alg, Alg::RS256);
    EXPECT_EQ(out.times.exp.value, 4102444800);

    EXPECT_FALSE(recent.lookup(flipSignatureBit(token), kNow, out));
    EXPECT_FALSE(recent.lookup(token.substr(0, token.size() - 1), kNow, out));
    EXPECT_FALSE(recent.lookup(token + "A", kNow, out));
}

TEST(RecentTokens, EntryEndsAtItsExpiry)
{
    RecentTokens recent;
    std::string token = rs256();
    recent.remember(token, someEntry(), kNow + 10);
    CachedToken out;
    EXPECT_TRUE(recent.lookup(token, kNow + 9, out));
    EXPECT_FALSE(recent.lookup(token, kNow + 10, out));
}

TEST(RecentTokens, TokenInTheSameSlotTakesItOver)
{
    RecentTokens recent;
    auto [first, second] = sameSlot();
    recent.remember(first, someEntry(), kNow + 10);
    recent.remember(second, someEntry(), kNow + 10);
    CachedToken out;
    EXPECT_FALSE(recent.lookup(first, kNow, out));
    EXPECT_TRUE(recent.lookup(second, kNow, out));
}

TEST(RecentTokens, LongTokensAreNotKept)
{
    RecentTokens recent;
    std::string longest(RecentTokens::kMaxTokenSize, 'a');
    std::string tooLong(RecentTokens::kMaxTokenSize + 1, 'a');
    recent.remember(longest, someEntry(), kNow + 10);
    recent.remember(tooLong, someEntry(), kNow + 10);
    CachedToken out;
    EXPECT_TRUE(recent.lookup(longest, kNow, out));
    EXPECT_FALSE(recent.lookup(tooLong, kNow, out));
}

TEST(RecentTokens, MemoryStaysWithinTheBoundAsTokensGrow)
{
    // Each slot first holds a token of a bit over half the longest kept,
    // then one of the longest: a copy grown in place would double.
    RecentTokens recent;
    std::vector<std::string> first(RecentTokens::kSlots);
    std::vector<std::string> second(RecentTokens::kSlots);
    std::size_t filled = 0;
    for (int i = 0; filled < 2 * RecentTokens::kSlots && i < 100000; i++) {
        for (std::size_t size : {RecentTokens::kMaxTokenSize / 2 + 100,
                                 RecentTokens::kMaxTokenSize})
        {
            std::string token = std::to_string(i);
            token.resize(size, 'a');
            std::size_t slot = std::hash<std::string_view>{}(token)
                               % RecentTokens::kSlots;
            auto &chosen =
                size == RecentTokens::kMaxTokenSize ? second : first;
            if (chosen[slot].empty()) {
                chosen[slot] = token;
                filled++;
            }
        }
    }
    ASSERT_EQ(filled, 2 * RecentTokens::kSlots);

    for (const auto &round : {first, second}) {
        for (const std::string &token : round) {
            recent.remember(token, someEntry(), kNow + 10);
        }
    }
    CachedToken out;
    for (const std::string &token : second) {
        EXPECT_TRUE(recent.lookup(token, kNow, out));
    }
    // capacity() leaves out the byte of each copy's terminating NUL
    EXPECT_LE(recent.tokenBytes(),
              RecentTokens::kSlots * RecentTokens::kMaxTokenSize);
}

// A hit in the shared cache is kept for this process until the shared
// entry's own expiry, not longer.
TEST(TokenCache, SharedHitIsKeptUntilTheSharedEntryExpires)
{
    KeySet keys = keySetOf(publicKey(testKey(KeyKind::Rsa)));
    std::string token = rs256(R"({"sub":"a","exp":4102444800})");

    FakeCache worker1;
    ASSERT_EQ(verifyStatus(token, keys, cached(worker1), kNow), Status::Ok);

    // another process, sharing the entry, which ends sooner
    FakeCache worker2;
    worker2.entries = worker1.entries;
    worker2.entries.begin()->second.expires = kNow + 5;

    Verification shared(token, keys, cached(worker2), kNow);
    EXPECT_EQ(shared.out.cache, CacheUse::Hit);
    EXPECT_EQ(worker2.lookups, 1);

    Verification recent(token, keys, cached(worker2), kNow + 4);
    EXPECT_EQ(recent.out.cache, CacheUse::Hit);
    EXPECT_EQ(worker2.lookups, 1);

    Verification later(token, keys, cached(worker2), kNow + 5);
    EXPECT_EQ(later.status, Status::Ok);
    EXPECT_EQ(later.out.cache, CacheUse::Miss);
    EXPECT_EQ(worker2.lookups, 2);
}

// What the recent table holds is checked as a shared hit is: a key gone
// from the set, or an alg no longer allowed, sends the token to a full
// verification.
TEST(TokenCache, RecentHitStillNeedsItsKeyAndAlg)
{
    FakeCache cache;
    KeySet before = keySetOf(publicKey(testKey(KeyKind::Rsa)));
    KeySet after = keySetOf(publicKey(testKey(KeyKind::Rsa2)));
    std::string token = rs256();
    ASSERT_EQ(verifyStatus(token, before, cached(cache)), Status::Ok);
    cache.entries.clear();

    Verification hit(token, before, cached(cache));
    EXPECT_EQ(hit.out.cache, CacheUse::Hit);

    Verification gone(token, after, cached(cache));
    EXPECT_EQ(gone.status, Status::BadSignature);
    EXPECT_EQ(gone.out.cache, CacheUse::Miss);

    VerifyOptions psOnly = cached(cache);
    psOnly.allowed = AlgSet::of(Alg::PS256);
    Verification refused(token, before, psOnly);
    EXPECT_EQ(refused.status, Status::AlgNotAllowed);
}

// ---------------------------------------------------------------------
// Digests and fingerprints

TEST(TokenCache, DigestIsSha256OfTheWholeToken)
{
    FakeCache cache;
    TokenDigest digest;
    ASSERT_TRUE(cache.digest("abc", digest));
    EXPECT_EQ(b64(std::string(digest.begin(), digest.end())),
              "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0");

    TokenDigest again;
    std::string token = rs256();
    ASSERT_TRUE(cache.digest(token, digest));
    ASSERT_TRUE(cache.digest(token.substr(0, token.size() - 1), again));
    EXPECT_NE(digest, again);
}

TEST(KeyFingerprint, SameKeyInAnyFormatHasTheSameFingerprint)
{
    EVP_PKEY *pkey = testKey(KeyKind::P256);
    Key fromPem = onlyKey(loadKeyText(publicPem(pkey), "pem",
                                      AlgSet::all()));
    Key fromJwk = jwkKey(publicJwk(pkey));
    Key fromPkey = publicKey(pkey);
    EXPECT_EQ(fromPem.fingerprint(), fromJwk.fingerprint());
    EXPECT_EQ(fromPem.fingerprint(), fromPkey.fingerprint());
}

TEST(KeyFingerprint, KidMaterialAndTypeTellKeysApart)
{
    std::vector<Key> keys;
    keys.push_back(publicKey(testKey(KeyKind::Rsa)));
    keys.push_back(publicKey(testKey(KeyKind::Rsa), "a"));
    keys.push_back(publicKey(testKey(KeyKind::Rsa), "b"));
    keys.push_back(publicKey(testKey(KeyKind::Rsa2)));
    keys.push_back(publicKey(testKey(KeyKind::P256)));
    keys.push_back(publicKey(testKey(KeyKind::Ed25519)));
    keys.push_back(secretKey(kSecret32));
    keys.push_back(secretKey(kSecret32, "a"));
    keys.push_back(secretKey(kSecret64));

    for (std::size_t i = 0; i < keys.size(); i++) {
        for (std::size_t j = i + 1; j < keys.size(); j++) {
            EXPECT_NE(keys[i].fingerprint(), keys[j].fingerprint())
                << i << " and " << j;
        }
    }
    EXPECT_EQ(secretKey(kSecret32, "a").fingerprint(), keys[7].fingerprint());
}

TEST(KeyFingerprint, KidHashIsThatOfTheKid)
{
    EXPECT_EQ(publicKey(testKey(KeyKind::Rsa), "k").kidHash(), kidHash("k"));
    EXPECT_EQ(kidHash("k"), kidHash(std::string("k")));
    EXPECT_NE(kidHash("k"), kidHash("K"));
    EXPECT_NE(kidHash(""), kidHash("k"));
}

}  // namespace
}  // namespace authjwt
