// A verification key and the immutable set of them a location uses.
//
//   std::string error;
//   std::optional<Key> key = Key::fromPublicKey(std::move(pkey), AlgSet::all(),
//                                               "", "keys/api.pem", error);
//   if (!key) fail(error);   // "RSA key in keys/api.pem has 1024 bits ..."
//   KeySet keys;
//   keys.add(std::move(*key));
//
// A key's type fixes the algorithms it may verify (RFC 8725 3.1): an RSA key
// never serves as an HMAC secret, a P-256 key verifies ES256 only, and a
// JWK's "alg", "use" and "key_ops" narrow that further. Weak keys are refused
// when built, so a KeySet only ever holds keys fit for use. A KeySet is built
// at configuration time and only read afterwards, but for the HMAC
// contexts each verification restarts (see hmacContext).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alg.hpp"
#include "ossl.hpp"

namespace authjwt {

enum class KeyType { Oct, Rsa, Ec, Okp };

// Identifies a key by its type, kid and public material (or secret), for
// the token cache: the same on every worker and across reloads for the
// same key. 128 bits, so that nobody who may configure a key of their own
// (a tenant's JWK Set) can find one that passes for another's.
using KeyFingerprint = std::array<unsigned char, 16>;

// A 64-bit hash of a kid, for the token cache: equal kids hash alike.
std::uint64_t kidHash(std::string_view kid) noexcept;

// Minimum sizes we accept (RFC 7518 3.3 for RSA; 3.2 for HMAC).
constexpr int kMinRsaBits = 2048;
constexpr std::size_t kMinHmacSecret = 32;

class Key {
public:
    // An HMAC secret. It may verify each HS* whose digest is no longer
    // than the secret (RFC 7518 3.2), within allowed. Fails for a secret
    // shorter than 32 bytes or when nothing remains allowed.
    static std::optional<Key> fromSecret(std::string secret, AlgSet allowed,
                                         std::string kid, std::string source,
                                         std::string &error);

    // A public key (RSA, RSA-PSS, EC P-256/384/521, Ed25519, Ed448). Its
    // algorithms are those of its type, within allowed. Refuses RSA under
    // 2048 bits or with an even exponent or one below 65537, other curves,
    // and an empty intersection with allowed.
    static std::optional<Key> fromPublicKey(PkeyPtr pkey, AlgSet allowed,
                                            std::string kid,
                                            std::string source,
                                            std::string &error);

    KeyType type() const noexcept { return type_; }
    AlgSet algs() const noexcept { return algs_; }
    const std::string &kid() const noexcept { return kid_; }
    // kidHash(kid()), and the fingerprint, both computed when built.
    std::uint64_t kidHash() const noexcept { return kidHash_; }
    const KeyFingerprint &fingerprint() const noexcept { return fingerprint_; }
    // Where the key came from, for messages ("keys/jwks.json, key 2").
    const std::string &source() const noexcept { return source_; }

    // Null for an HMAC secret.
    EVP_PKEY *pkey() const noexcept { return pkey_.get(); }
    std::string_view secret() const noexcept { return secret_; }

    // A MAC context keyed with the secret and set up for alg, prepared once
    // and restarted by each verification (EVP_MAC_init without a key keeps
    // it), so that a request neither copies nor allocates one; null if alg
    // is not an HS* this key may verify. The one state a KeySet changes
    // when used: a KeySet is used by one thread at a time (an nginx worker
    // is one thread; each has its own copy after the fork).
    EVP_MAC_CTX *hmacContext(Alg alg) const noexcept;

    // A verification context set up with the public key, alg's digest
    // and, for RSA, its padding, prepared once; a request hands it the
    // digest of the signing input (digestInput). EVP_PKEY_verify may be
    // called on one context again and again (EVP_PKEY_verify(3)), so a
    // request neither copies nor allocates one. Null unless alg is an RS*,
    // PS* or ES* this key may verify.
    EVP_PKEY_CTX *verifyContext(Alg alg) const noexcept;

    // The digest alg's signatures are made over, of input, into out (at
    // least EVP_MAX_MD_SIZE bytes) with a context this key keeps and each
    // call restarts (the same one-thread rule as hmacContext). Its size on
    // success, 0 if this key was not set up for alg or OpenSSL fails.
    std::size_t digestInput(Alg alg, std::string_view input,
                            unsigned char *out) const noexcept;

    // EdDSA is verified in one shot through a digest-verify context, which
    // that call finalises (OpenSSL 3.2 refuses a second call): a context
    // set up once that each verification copies. Null unless this key may
    // verify EdDSA.
    const EVP_MD_CTX *eddsaTemplate() const noexcept;

private:
    Key() = default;

    // Sets up the contexts that verify alg; false if OpenSSL cannot.
    bool prepare(Alg alg);

    // Sets kidHash_ and fingerprint_ from the type, kid and material.
    bool identify(std::string_view material, std::string &error);

    KeyType type_ = KeyType::Oct;
    AlgSet algs_;
    std::string kid_;
    std::uint64_t kidHash_ = 0;
    KeyFingerprint fingerprint_{};
    std::string source_;
    PkeyPtr pkey_;
    std::string secret_;
    std::array<MacCtxPtr, 3> hmac_;
    std::array<PkeyCtxPtr, kAlgCount> verify_;
    // Indexed like hmac_, by digest size (SHA-256, SHA-384, SHA-512).
    std::array<MdPtr, 3> digests_;
    MdCtxPtr digestCtx_;
    MdCtxPtr eddsa_;
};

class KeySet {
public:
    void add(Key key) { keys_.push_back(std::move(key)); }

    const std::vector<Key> &keys() const noexcept { return keys_; }
    bool empty() const noexcept { return keys_.empty(); }

    // Every algorithm some key may verify.
    AlgSet algs() const noexcept;

    bool hasKid(std::string_view kid) const noexcept;

private:
    std::vector<Key> keys_;
};

}  // namespace authjwt
