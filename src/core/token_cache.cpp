#include "token_cache.hpp"

#include <functional>
#include <new>

#include <openssl/err.h>

namespace authjwt {

std::size_t RecentTokens::slotOf(std::string_view compact) noexcept
{
    // Not a cryptographic hash, nor does it need to be: the slot's token is
    // compared in full, and a chosen collision only evicts an entry.
    return std::hash<std::string_view>{}(compact) % kSlots;
}

bool RecentTokens::lookup(std::string_view compact, std::int64_t now,
                          CachedToken &out) const noexcept
{
    if (slots_.empty() || compact.size() > kMaxTokenSize) {
        return false;
    }
    const Slot &slot = slots_[slotOf(compact)];
    if (slot.expires <= now || slot.compact != compact) {
        return false;
    }
    out = slot.token;
    return true;
}

void RecentTokens::remember(std::string_view compact,
                            const CachedToken &token,
                            std::int64_t expires) noexcept
{
    if (compact.empty() || compact.size() > kMaxTokenSize) {
        return;
    }
    try {
        if (slots_.empty()) {
            slots_.resize(kSlots);
        }
        Slot &slot = slots_[slotOf(compact)];
        // Emptied first, so that a failed copy leaves no entry that
        // pairs another token's facts with these bytes.
        slot.expires = 0;
        if (compact.size() > slot.compact.capacity()) {
            // A copy of the exact size: growing in place would double
            // the capacity, past the bound kMaxTokenSize sets.
            slot.compact = std::string(compact);
        } else {
            slot.compact.assign(compact);
        }
        slot.token = token;
        slot.expires = expires;
    } catch (const std::bad_alloc &) {
        // not kept: the shared cache still has it
    }
}

std::size_t RecentTokens::tokenBytes() const noexcept
{
    std::size_t bytes = 0;
    for (const Slot &slot : slots_) {
        bytes += slot.compact.capacity();
    }
    return bytes;
}

TokenCache::TokenCache()
    : sha256_(EVP_MD_fetch(nullptr, "SHA256", nullptr)),
      ctx_(EVP_MD_CTX_new())
{
    // A failure here leaves the cache unused (digest() says false), which
    // costs speed, not correctness.
    ERR_clear_error();
}

TokenCache::~TokenCache() = default;

bool TokenCache::digest(std::string_view compact, TokenDigest &out) noexcept
{
    if (sha256_ == nullptr || ctx_ == nullptr) {
        return false;
    }

    // The digest fetched once: no lookup in the provider store, unlike
    // EVP_Digest with EVP_sha256() or SHA256(). (OpenSSL 3.0 still
    // allocates the provider's small SHA-256 state on every init; the
    // deprecated SHA256_Init would avoid that, for about 30 ns.)
    unsigned int size = 0;
    if (EVP_DigestInit_ex2(ctx_.get(), sha256_.get(), nullptr) != 1
        || EVP_DigestUpdate(ctx_.get(), compact.data(), compact.size()) != 1
        || EVP_DigestFinal_ex(ctx_.get(), out.data(), &size) != 1
        || size != out.size())
    {
        ERR_clear_error();
        return false;
    }
    return true;
}

}  // namespace authjwt
