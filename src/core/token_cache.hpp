// A cache of tokens already verified, consulted by verifyCompact so that a
// token seen before costs one SHA-256 and one lookup (or, on a worker that
// saw it lately, a fast hash and one comparison: RecentTokens) instead of
// a signature check, a header parse and a payload scan.
//
//   class MyCache : public TokenCache { ... lookup, store ... };
//   MyCache cache;
//   VerifyOptions options;
//   options.cache = &cache;
//   verifyCompact(compact, keys, options, now, ...);  // miss: verify, store
//   verifyCompact(compact, keys, options, now, ...);  // hit: no crypto
//
// An entry is keyed by the SHA-256 of the whole compact token, so it says
// something about those exact bytes only: that the key with fingerprint
// CachedToken::key verified their signature, and what their header and
// payload hold that verification needs again (alg, kid, time claims). All
// of that is a function of the bytes; what depends on the location (the
// allowlist, the keys it has now, kid selection among them, leeway,
// issuers, audiences) is checked again on every hit. A cached entry can
// only ever let a request skip work: whenever one does not apply, the token
// is verified in full.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "alg.hpp"
#include "claims.hpp"
#include "key.hpp"
#include "ossl.hpp"

namespace authjwt {

// SHA-256 of the compact token.
using TokenDigest = std::array<unsigned char, 32>;

// What a cache holds for one token. Plain bytes, so that a cache may keep
// it in shared memory.
struct CachedToken {
    KeyFingerprint key{};
    // A 64-bit hash of the token's kid (see kidHash), if it has one.
    std::uint64_t kidHash = 0;
    bool hasKid = false;
    Alg alg = Alg::HS256;
    TimeClaims times;
};

static_assert(std::is_trivially_copyable<CachedToken>::value,
              "cached tokens are copied as bytes into shared memory");

// A worker's own small table of the tokens it accepted last, consulted
// before the shared cache. It is keyed by the token's exact bytes, which a
// hit compares in full, so it needs no cryptographic hash: a hit costs a
// fast hash and one comparison instead of a SHA-256 and the shared zone's
// lock. It holds the same facts as the shared cache, and a hit is checked
// in the same way. Direct-mapped: a token takes the slot its hash picks and
// evicts what was there, so colliding tokens, chosen or not, only send each
// other to the shared cache. Not thread-safe: one table per worker.
class RecentTokens {
public:
    static constexpr std::size_t kSlots = 64;
    // Longer tokens are not kept (nor looked for), which bounds the
    // table's memory at kSlots * kMaxTokenSize bytes: a slot's copy never
    // holds more than its token needs.
    static constexpr std::size_t kMaxTokenSize = 4096;

    // The entry for these exact bytes, if there is one that has not
    // expired at now.
    bool lookup(std::string_view compact, std::int64_t now,
                CachedToken &out) const noexcept;

    // Keeps token for compact until expires (the first second it is no
    // longer valid), in place of whatever held its slot. Allocates (the
    // table on first use, the slot's copy of compact when it grows); when
    // memory runs out, the token is simply not kept.
    void remember(std::string_view compact, const CachedToken &token,
                  std::int64_t expires) noexcept;

    // The bytes the slots' copies of tokens hold, allocated or not.
    std::size_t tokenBytes() const noexcept;

private:
    struct Slot {
        std::string compact;
        CachedToken token;
        std::int64_t expires = 0;
    };

    static std::size_t slotOf(std::string_view compact) noexcept;

    std::vector<Slot> slots_;    // empty until the first remember()
};

class TokenCache {
public:
    TokenCache();
    virtual ~TokenCache();

    TokenCache(const TokenCache &) = delete;
    TokenCache &operator=(const TokenCache &) = delete;

    // SHA-256 of the whole compact token, with the digest fetched and a
    // context made once. Not reentrant: one cache object per thread (nginx
    // workers are single-threaded). False on an OpenSSL failure: the token
    // is then verified without the cache.
    bool digest(std::string_view compact, TokenDigest &out) noexcept;

    // The entry for digest if there is one and it has not expired at now,
    // and in expires when it does.
    virtual bool lookup(const TokenDigest &digest, std::int64_t now,
                        CachedToken &out, std::int64_t &expires) noexcept = 0;

    // Adds or replaces the entry for digest; it expires at expires (the
    // first second it is no longer valid). A cache may drop entries at any
    // time.
    virtual void store(const TokenDigest &digest, const CachedToken &token,
                       std::int64_t expires) noexcept = 0;

    // This process's table in front of lookup() and store().
    RecentTokens &recent() noexcept { return recent_; }

private:
    RecentTokens recent_;
    MdPtr sha256_;
    MdCtxPtr ctx_;
};

// How long an entry may live at most, whatever the token's exp: the
// verdict is refreshed with a full verification that often.
constexpr std::int64_t kMaxCachedSeconds = 3600;

}  // namespace authjwt
