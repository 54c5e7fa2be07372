// Revocation lists: "jti", "sub" and "kid" values whose tokens are refused
// even though they verify.
//
//   RevocationHasher hasher;
//   RevocationList list;
//   std::string error;
//   if (!parseRevocationList(text, "/etc/nginx/revoked", hasher, list,
//                            error)) {
//       fail(error);                  // "/etc/nginx/revoked:3: unknown ..."
//   }
//   std::vector<unsigned char> image(revocationTableSize(list.size()));
//   writeRevocationTable(list, image.data(), image.size());
//
//   // per request, once the token has verified:
//   RevocationTable table(image.data(), image.size());
//   Status s = checkRevocation(table, hasher, verified);   // Ok or Revoked
//
// A list is a text file, one entry per line ("jti VALUE", "sub VALUE",
// "kid VALUE", or a bare VALUE meaning a jti; "#" comments and blank lines
// skipped), or a JSON object {"jti": [...], "sub": [...], "kid": [...]}.
//
// Entries are kept as 64-bit digests (the first 8 bytes of SHA-256 over
// the field's name byte and the value), so a table is about 10 bytes per
// entry whatever the values' length, and lives in one flat block that
// needs no pointers: the nginx glue places it in shared memory. A lookup
// hashes the token's value and reads one bucket: O(1).
//
// Why 64 bits suffice: a digest collision can only make the table say
// "revoked" for a value that is not listed, never "not revoked" for one
// that is, since a listed value always hashes to its own digest. So a
// collision can refuse a token, never admit one. By chance that happens
// to a value with probability entries / 2^64 (5e-14 per lookup with a
// million entries); on purpose it takes about 2^64 / entries hashes to
// find a value of one's own choosing that collides, and the only token
// that choice can get refused is one whose claims the chooser controls.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/evp.h>

#include "ossl.hpp"
#include "status.hpp"
#include "verifier.hpp"

namespace authjwt {

// The fields a list may name; a set of them is a bit mask of these.
enum class RevokedField : unsigned {
    Jti = 1,
    Sub = 2,
    Kid = 4,
};

constexpr unsigned revokedBit(RevokedField field) noexcept
{
    return static_cast<unsigned>(field);
}

constexpr unsigned kAllRevokedFields = 7;

// "jti", "sub" or "kid".
const char *revokedFieldName(RevokedField field) noexcept;

// SHA-256 with a context prepared once, since a list of a million entries
// hashes a million values. One per thread (an nginx worker has one).
class RevocationHasher {
public:
    RevocationHasher() noexcept;

    // The digest of one entry; empty only when OpenSSL fails.
    std::optional<std::uint64_t> digest(RevokedField field,
                                        std::string_view value) noexcept;

private:
    OsslPtr<EVP_MD, EVP_MD_free> md_;
    MdCtxPtr ctx_;
};

// A parsed list: its digests, sorted and without duplicates, and the
// fields it names (so that a token is only searched for those).
struct RevocationList {
    std::vector<std::uint64_t> digests;
    unsigned fields = 0;

    std::size_t size() const noexcept { return digests.size(); }
};

// Parses a list; name is the file's name for messages, which read
// "name:line: why" for a bad line of a text list and "name: why" (with a
// line where Jansson knows one) for a JSON list. Values must be non-empty
// UTF-8, and in a text list without control characters. May throw
// std::bad_alloc.
bool parseRevocationList(std::string_view text, std::string_view name,
                         RevocationHasher &hasher, RevocationList &out,
                         std::string &error);

// The size in bytes of the table for a list of entries entries.
std::size_t revocationTableSize(std::size_t entries) noexcept;

// Lays out the table of list in size bytes at out, which must be
// 8-byte aligned; false if size is less than revocationTableSize().
bool writeRevocationTable(const RevocationList &list, void *out,
                          std::size_t size) noexcept;

// The digests of one token's values, for the fields asked for.
struct RevocationKeys {
    // The fields considered; a field considered but not in present means
    // the token has no such value.
    unsigned looked = 0;
    unsigned present = 0;
    std::uint64_t digests[3] = {};
};

// Adds to keys the digests of the token's values for fields it has not
// considered yet: "kid" from the header, "jti" and "sub" from the
// payload, read from the tree if one is built and else by the request
// path's scanner (json_scan.hpp) over the checked text, so that no request
// builds a tree for this. A string is
// taken as it is (escapes decoded), an integer as its decimal text; other
// types are no value. Ok, or InternalError if hashing fails or the
// payload is not an object after all.
Status revocationKeys(VerifiedToken &verified, unsigned fields,
                      RevocationHasher &hasher,
                      RevocationKeys &keys) noexcept;

// A read-only view of a table written by writeRevocationTable.
class RevocationTable {
public:
    RevocationTable(const void *image, std::size_t size) noexcept;

    // Whether the image is a consistent table; a view that is not says
    // nothing is listed and names no field.
    bool valid() const noexcept { return digests_ != nullptr; }

    std::size_t size() const noexcept { return count_; }
    unsigned fields() const noexcept { return fields_; }

    bool contains(std::uint64_t digest) const noexcept;

    // Whether any of the keys' present values is listed.
    bool revokes(const RevocationKeys &keys) const noexcept;

private:
    const std::uint32_t *offsets_ = nullptr;
    const std::uint64_t *digests_ = nullptr;
    std::uint64_t count_ = 0;
    std::uint64_t buckets_ = 0;
    unsigned fields_ = 0;
};

// The whole check for a token that verified: Ok, Revoked, or
// InternalError.
Status checkRevocation(const RevocationTable &table,
                       RevocationHasher &hasher,
                       VerifiedToken &verified) noexcept;

}  // namespace authjwt
