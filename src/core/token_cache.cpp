#include "token_cache.hpp"

#include <openssl/err.h>

namespace authjwt {

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
