// libFuzzer target: the whole verification path, verifyCompact, on
// attacker-chosen token bytes.
//
//   fuzz/run 60     (or see the header of fuzz/run for a manual build)
//
// The input is the compact token exactly as it would arrive in a header.
// The key set is built once from the public JWKs below and holds one key of
// each family, some with a kid, so that kid selection, the fallback to
// kid-less keys and every signature family are reachable. The seed corpus
// (fuzz/corpus/fuzz_token) holds tokens minted with Crypt::JWT against the
// matching private keys, which are not kept anywhere.
//
// Besides memory errors and leaks, the target checks that an Ok verdict is
// honest: the token is canonical, names a supported algorithm, carries a
// signature some key accepts (for HS*, one recomputed independently), and
// has an unexpired "exp"; that a payload never comes with another status,
// even when the result object is reused; and that a token cache changes
// no verdict, on the miss that stores a token or on the hit after it.
//
// Byte mutations rarely turn base64url into new JSON, so a custom mutator
// also mutates the decoded header or payload and, for HS* tokens, signs
// the result again with the fixed secret: that carries arbitrary payloads
// past the signature into payload parsing and the time checks.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "core/base64url.hpp"
#include "core/key_loader.hpp"
#include "core/verifier.hpp"
#include "fuzz_check.hpp"

// libFuzzer's own mutator, for use inside the custom one.
extern "C" std::size_t LLVMFuzzerMutate(std::uint8_t *data, std::size_t size,
                                        std::size_t maxSize);

namespace authjwt {

namespace {

// A fixed clock: the seeds' "exp" is 4102444800 (2100), "nbf" 1600000000.
constexpr std::int64_t kNow = 1700000000;

// Public keys only. The HMAC secret is 64 bytes, so it verifies HS256,
// HS384 and HS512 (RFC 7518 3.2). The EC key has no kid, so a token naming
// an unknown kid still reaches it.
constexpr std::string_view kJwks =
    "{\"keys\": ["
    "{\"kty\": \"oct\", \"kid\": \"hmac\", \"k\": "
    "\"ZnV6emluZy1zZWNyZXQtZm9yLUhTMjU2LUhTMzg0LUhTNTEyLWtleXMtMDEy"
    "MzQ1Njc4OWFiY2RlZmdoaWprbA\"},"
    "{\"kty\": \"RSA\", \"kid\": \"rsa-2048\", \"e\": \"AQAB\", \"n\": "
    "\"lqBGGVW6TK_jzh3BNxYr1ka3tKEg_AOQfbewKRM4S1GaLKTY3l4441kGQOIF-Ztz"
    "7Z9MjifSG6dOijEibzQjz1rAn82s0L2m5UAIbTGcykVKPtk4XWm5sOQYH_oKVwGA7"
    "QfL25YUsbgjvr0UliGBm1FUKAD0BFytKB7OtIhytEVjaBccEfIHweeeWqqgksGyB"
    "eU-8WtuEqx4I74PjYojoBrukBTrLqZo5iZaOh1OwpmeIFrsmGXo8Q_vpMCyJ3l9z"
    "fTns0x5tGmDbumpUM5_NH-e9f3Gc0zgK5TVMkTR3sMjWViWAgXJjPto862iYJa_m"
    "3Hak6gTgd2PHufi7fISFQ\"},"
    "{\"kty\": \"EC\", \"crv\": \"P-256\","
    " \"x\": \"6ZNedyYwhav4Fw3Hrnx0mDZ4NPyduXLeq6nhbaxef1E\","
    " \"y\": \"XlNChTexV0AwPba-39VGclWKcglxnHYErR2-8RNimNE\"},"
    "{\"kty\": \"OKP\", \"crv\": \"Ed25519\", \"kid\": \"ed\","
    " \"x\": \"0opE8iMlA4KDIbR1YRiwj-s4SFp8a8EYGPC_hnK1Ois\"}"
    "]}";

const KeySet &fuzzKeys()
{
    static const KeySet keys = [] {
        KeyLoad load = loadKeyText(kJwks, "fuzz_token", AlgSet::all());
        fuzzCheck(load.ok() && load.keys.size() == 4,
                  "the fixed JWK Set loads as four keys");
        fuzzCheck(load.keys.front().type() == KeyType::Oct,
                  "the HMAC secret is the first key (the mutator signs "
                  "with it)");
        KeySet set;
        for (Key &key : load.keys) {
            set.add(std::move(key));
        }
        return set;
    }();
    return keys;
}

// HMAC computed apart from the verifier, through OpenSSL's one-shot call.
bool independentHmacMatches(const Key &key, Alg alg, std::string_view input,
                            const unsigned char *signature, std::size_t size)
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    std::size_t macSize = 0;
    std::string_view secret = key.secret();
    if (EVP_Q_mac(nullptr, "HMAC", nullptr, algDigestName(alg), nullptr,
                  secret.data(), secret.size(),
                  reinterpret_cast<const unsigned char *>(input.data()),
                  input.size(), mac, sizeof(mac), &macSize) == nullptr)
    {
        return false;
    }
    return macSize == size && CRYPTO_memcmp(mac, signature, size) == 0;
}

// What must hold when verifyCompact says Ok.
void checkAccepted(std::string_view compact, const VerifiedToken &out)
{
    const Token &token = out.token;
    fuzzCheck(token.alg.has_value(), "Ok implies a supported alg");
    fuzzCheck(algName(*token.alg) == token.algName,
              "Ok implies the alg was named exactly");
    fuzzCheck(out.payload && json_is_object(out.payload.get()),
              "Ok implies a payload that is a JSON object");

    // The token is header.payload.signature with every part canonical, so
    // re-encoding what was verified gives back the very bytes received.
    std::string_view sig(reinterpret_cast<const char *>(token.signature),
                         token.signatureSize);
    fuzzCheck(compact.substr(0, token.signingInput.size())
                      == token.signingInput
                  && compact.substr(token.signingInput.size())
                         == "." + encodeBase64Url(sig),
              "Ok implies compact == signingInput '.' b64url(signature)");
    std::string_view encodedPayload =
        token.signingInput.substr(token.signingInput.find('.') + 1);
    fuzzCheck(decodeBase64Url(encodedPayload) == std::string(token.payloadText),
              "Ok implies payloadText is the decoded second part");

    // Some key that the kid rule allows must accept the signature again.
    const KeySet &keys = fuzzKeys();
    bool kidKnown = token.kid && keys.hasKid(*token.kid);
    bool verified = false;
    for (const Key &key : keys.keys()) {
        if (kidKnown && key.kid() != *token.kid) {
            continue;
        }
        if (token.kid && !kidKnown && !key.kid().empty()) {
            continue;
        }
        if (!verifyWithKey(key, *token.alg, token.signingInput,
                           token.signature, token.signatureSize))
        {
            continue;
        }
        verified = true;
        if (algFamily(*token.alg) == AlgFamily::Hmac) {
            fuzzCheck(independentHmacMatches(key, *token.alg,
                                             token.signingInput,
                                             token.signature,
                                             token.signatureSize),
                      "an accepted HMAC matches an independent HMAC");
        }
    }
    fuzzCheck(verified, "Ok implies a key the kid selects verifies again");

    // exp is required by default and the clock is fixed.
    json_t *exp = json_object_get(out.payload.get(), "exp");
    fuzzCheck(json_is_number(exp) && json_number_value(exp) > kNow,
              "Ok implies an unexpired numeric exp");
}

// A token cache in a std::map.
class MapCache : public TokenCache {
public:
    // Serves an entry at any time, past its expiry too, so that the
    // checks below see hits at times a real zone would not.
    bool lookup(const TokenDigest &digest, std::int64_t, CachedToken &out,
                std::int64_t &expires) noexcept override
    {
        auto it = entries.find(digest);
        if (it == entries.end()) {
            return false;
        }
        out = it->second.first;
        expires = it->second.second;
        return true;
    }

    void store(const TokenDigest &digest, const CachedToken &token,
               std::int64_t expires) noexcept override
    {
        entries[digest] = {token, expires};
    }

    // Each entry with the expiry it was stored with, which a hit reports
    // as the shared zone does: the worker's own table keeps a hit until
    // then, not for ever.
    std::map<TokenDigest, std::pair<CachedToken, std::int64_t>> entries;
};

Status verifyAt(std::string_view compact, const VerifyOptions &options,
                std::int64_t now, std::vector<unsigned char> &scratch,
                VerifiedToken &out)
{
    scratch.assign(tokenScratchSize(compact.size()), 0);
    Status status = verifyCompact(compact, fuzzKeys(), options, now,
                                  scratch.data(), scratch.size(), out);
    fuzzCheckErrorQueueEmpty("verifyCompact");
    return status;
}

// Verifies compact twice through an empty cache: both verdicts must be
// plain's, and an accepted token must be a miss, then a hit that gives
// the same header and payload and passes checkAccepted. The cache keeps
// serving the entry at other times, where the verdict must be the one
// reached without a cache: the time claims are checked on every hit.
void checkCacheAgrees(std::string_view compact, Status expected,
                      VerifiedToken &plain)
{
    // a new one for each input, so that its recent-token table is empty
    MapCache cache;
    VerifyOptions options;
    options.cache = &cache;

    for (CacheUse use : {CacheUse::Miss, CacheUse::Hit}) {
        std::vector<unsigned char> scratch;
        VerifiedToken out;
        Status status = verifyAt(compact, options, kNow, scratch, out);
        fuzzCheck(status == expected, "a cache never changes a verdict");
        if (status != Status::Ok) {
            fuzzCheck(out.cache != CacheUse::Hit,
                      "a refused token is never a cache hit");
            continue;
        }
        fuzzCheck(out.cache == use, "an accepted token misses, then hits");
        fuzzCheck(json_equal(out.payload.get(), plain.payload.get())
                      && json_equal(verifiedHeader(out),
                                    verifiedHeader(plain)),
                  "a hit gives the header and payload verified");
        checkAccepted(compact, out);
    }

    if (expected != Status::Ok) {
        return;
    }
    // the seeds' nbf and exp, each side of them, and far away
    const std::int64_t times[] = {0, 1599999999, 4102444799, 4102444800,
                                  99999999999};
    for (std::int64_t now : times) {
        std::vector<unsigned char> scratch;
        VerifiedToken out;
        Status uncached = verifyAt(compact, VerifyOptions(), now, scratch,
                                   out);
        Status cached = verifyAt(compact, options, now, scratch, out);
        fuzzCheck(out.cache == CacheUse::Hit,
                  "the stored entry is found at any time");
        fuzzCheck(cached == uncached,
                  "a hit checks the time claims as a full verification");
    }
}

// scratch must outlive every later look at out.token.
Status verify(std::string_view compact, std::vector<unsigned char> &scratch,
              VerifiedToken &out)
{
    scratch.assign(tokenScratchSize(compact.size()), 0);
    Status status = verifyCompact(compact, fuzzKeys(), VerifyOptions(), kNow,
                                  scratch.data(), scratch.size(), out);
    fuzzCheckErrorQueueEmpty("verifyCompact");
    fuzzCheck(status == Status::Ok || !out.payload,
              "a payload is only returned with Ok");
    return status;
}

// The HMAC signature of signingInput, if its header names an HS*.
std::optional<std::string> hmacSign(std::string_view header,
                                    std::string_view signingInput)
{
    Json doc = Json::parse(header);
    std::string_view name;
    if (!doc || !jsonStringMember(doc.get(), "alg", name)) {
        return std::nullopt;
    }
    std::optional<Alg> alg = algFromName(name);
    if (!alg || algFamily(*alg) != AlgFamily::Hmac) {
        return std::nullopt;
    }
    std::string_view secret = fuzzKeys().keys().front().secret();
    unsigned char mac[EVP_MAX_MD_SIZE];
    std::size_t macSize = 0;
    if (EVP_Q_mac(nullptr, "HMAC", nullptr, algDigestName(*alg), nullptr,
                  secret.data(), secret.size(),
                  reinterpret_cast<const unsigned char *>(signingInput.data()),
                  signingInput.size(), mac, sizeof(mac), &macSize) == nullptr)
    {
        return std::nullopt;
    }
    return std::string(reinterpret_cast<char *>(mac), macSize);
}

// Mutates the decoded header or payload of a three-part token, and signs
// it again when it is an HS* token; empty when the input has no such part.
std::string mutateDecoded(std::string_view token, std::size_t maxSize,
                          std::minstd_rand &rng)
{
    std::size_t first = token.find('.');
    std::size_t second = token.find('.', first + 1);
    if (first == std::string_view::npos || second == std::string_view::npos) {
        return {};
    }
    std::string parts[3] = {
        std::string(token.substr(0, first)),
        std::string(token.substr(first + 1, second - first - 1)),
        std::string(token.substr(second + 1)),
    };
    std::size_t which = rng() % 2;
    std::optional<std::string> decoded = decodeBase64Url(parts[which]);
    if (!decoded || decoded->empty()) {
        return {};
    }
    std::size_t used = decoded->size();
    decoded->resize(used + 64);
    auto *bytes = reinterpret_cast<std::uint8_t *>(decoded->data());
    used = LLVMFuzzerMutate(bytes, used, decoded->size());
    decoded->resize(used);
    parts[which] = encodeBase64Url(*decoded);

    std::string signingInput = parts[0] + "." + parts[1];
    std::optional<std::string> header = decodeBase64Url(parts[0]);
    if (header) {
        if (std::optional<std::string> mac = hmacSign(*header, signingInput)) {
            parts[2] = encodeBase64Url(*mac);
        }
    }
    std::string out = signingInput + "." + parts[2];
    return out.size() <= maxSize ? out : std::string();
}

}  // namespace

}  // namespace authjwt

extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t *data,
                                               std::size_t size,
                                               std::size_t maxSize,
                                               unsigned int seed)
{
    std::minstd_rand rng(seed);
    if (rng() % 2 == 0) {
        std::string out = authjwt::mutateDecoded(
            std::string_view(reinterpret_cast<const char *>(data), size),
            maxSize, rng);
        if (!out.empty()) {
            std::memcpy(data, out.data(), out.size());
            return out.size();
        }
    }
    return LLVMFuzzerMutate(data, size, maxSize);
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data,
                                      std::size_t size)
{
    using namespace authjwt;

    std::string_view compact(reinterpret_cast<const char *>(data), size);
    std::vector<unsigned char> scratch;
    VerifiedToken out;
    Status status = verify(compact, scratch, out);
    checkCacheAgrees(compact, status, out);
    if (status != Status::Ok) {
        return 0;
    }
    checkAccepted(compact, out);

    // Reuse the result for the same token less its last byte: whatever the
    // verdict, the earlier trusted payload must not survive into it.
    std::vector<unsigned char> scratch2;
    Status again = verify(compact.substr(0, size - 1), scratch2, out);
    fuzzCheck(again != Status::Ok, "a truncated signature never verifies");
    return 0;
}
