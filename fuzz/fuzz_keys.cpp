// libFuzzer target: key files, loadKeyText (PEM, certificates, JWK, JWK
// Sets), and inline secrets, loadSecret, on arbitrary bytes.
//
//   fuzz/run 60     (or see the header of fuzz/run for a manual build)
//
// Key files are configuration, not requests, but an operator may point
// auth_jwt_key_file at a JWK Set fetched from an identity provider, so the
// loader must refuse any text cleanly: no crash, no leak, no OpenSSL error
// left behind, and every key it does return fit for use.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/key_loader.hpp"
#include "fuzz_check.hpp"

namespace authjwt {

namespace {

// What a successful load promises (key.hpp): each key verifies something,
// an HMAC key is a long enough secret, any other key is an EVP_PKEY.
void checkLoad(const KeyLoad &load, const char *where)
{
    fuzzCheckErrorQueueEmpty(where);
    if (!load.ok()) {
        fuzzCheck(load.keys.empty(), "a failed load returns no keys");
        return;
    }
    for (const Key &key : load.keys) {
        fuzzCheck(!key.algs().empty(), "every loaded key has algorithms");
        if (key.type() == KeyType::Oct) {
            fuzzCheck(key.pkey() == nullptr
                          && key.secret().size() >= kMinHmacSecret,
                      "an HMAC key is a secret of at least 32 bytes");
            fuzzCheck(key.algs() == (key.algs()
                                     & AlgSet::family(AlgFamily::Hmac)),
                      "an HMAC key verifies HS* only");
        } else {
            fuzzCheck(key.pkey() != nullptr,
                      "a public key holds an EVP_PKEY");
            fuzzCheck(!key.algs().contains(Alg::HS256)
                          && !key.algs().contains(Alg::HS384)
                          && !key.algs().contains(Alg::HS512),
                      "a public key never verifies HS* (RFC 8725 2.1)");
        }
    }
}

}  // namespace

}  // namespace authjwt

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data,
                                      std::size_t size)
{
    using namespace authjwt;

    std::string_view text(reinterpret_cast<const char *>(data), size);
    checkLoad(loadKeyText(text, "fuzz", AlgSet::all()), "loadKeyText");

    // The same bytes as an inline secret, in each encoding a directive
    // accepts; cheap next to the PEM decoders above.
    for (SecretEncoding encoding :
         {SecretEncoding::Utf8, SecretEncoding::Hex, SecretEncoding::Base64,
          SecretEncoding::Base64Url})
    {
        checkLoad(loadSecret(text, encoding, AlgSet::all()), "loadSecret");
    }
    return 0;
}
