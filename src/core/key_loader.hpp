// Turns configuration input into keys: inline HMAC secrets, PEM public keys
// and certificates, JWKs and JWK Sets.
//
//   KeyLoad load = loadKeyText(fileBytes, "conf/keys.jwks", AlgSet::all());
//   if (!load.ok()) fail(load.error);     // names the file and the key
//   for (Key &k : load.keys) keySet.add(std::move(k));
//
// Runs at configuration time only. Errors are full sentences naming the
// source, fit for "nginx -t".
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <jansson.h>

#include "key.hpp"

namespace authjwt {

struct KeyLoad {
    std::vector<Key> keys;
    std::string error;

    bool ok() const noexcept { return error.empty(); }
};

enum class SecretEncoding { Utf8, Hex, Base64, Base64Url };

// One HMAC key from an inline secret in the given encoding.
KeyLoad loadSecret(std::string_view value, SecretEncoding encoding,
                   AlgSet allowed);

// The content of a key file, its format detected from the text: a JSON
// object with "keys" is a JWK Set, another JSON object a single JWK,
// otherwise PEM ("PUBLIC KEY", "RSA PUBLIC KEY" or "CERTIFICATE" blocks;
// each block is one key). source names the file in messages.
KeyLoad loadKeyText(std::string_view content, std::string_view source,
                    AlgSet allowed);

// One JWK (RFC 7517) already parsed. Public members only: "kty" RSA (n, e),
// EC (crv, x, y), OKP (crv Ed25519/Ed448, x), oct (k). "alg" binds the key
// to that one algorithm; "use" other than "sig" and "key_ops" without
// "verify" make the key unusable for verification.
KeyLoad loadJwk(const json_t *jwk, std::string_view source, AlgSet allowed);

}  // namespace authjwt
