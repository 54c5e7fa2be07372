// JWS algorithms (RFC 7518 section 3, RFC 8037) and sets of them.
//
//   AlgSet allowed = AlgSet::of(Alg::RS256) | AlgSet::of(Alg::ES256);
//   std::optional<Alg> alg = algFromName("RS256");
//   if (!alg || !allowed.contains(*alg)) return Status::AlgNotAllowed;
//
// "none" has no value here: it can never be named, allowed or verified.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace authjwt {

enum class Alg : std::uint8_t {
    HS256, HS384, HS512,
    RS256, RS384, RS512,
    PS256, PS384, PS512,
    ES256, ES384, ES512,
    EdDSA,
};

constexpr unsigned kAlgCount = 13;

enum class AlgFamily { Hmac, RsaPkcs1, RsaPss, Ecdsa, EdDsa };

// Exact, case-sensitive match (RFC 7515 4.1.1: "alg" is case-sensitive).
std::optional<Alg> algFromName(std::string_view name) noexcept;
const char *algName(Alg alg) noexcept;
AlgFamily algFamily(Alg alg) noexcept;

// The digest name for OpenSSL ("SHA256"), or nullptr for EdDSA.
const char *algDigestName(Alg alg) noexcept;

// The digest size in bytes (HS256: 32); 0 for EdDSA.
std::size_t algDigestSize(Alg alg) noexcept;

class AlgSet {
public:
    constexpr AlgSet() noexcept = default;

    static constexpr AlgSet of(Alg alg) noexcept
    {
        return AlgSet(std::uint32_t{1} << static_cast<unsigned>(alg));
    }
    static constexpr AlgSet all() noexcept
    {
        return AlgSet((std::uint32_t{1} << kAlgCount) - 1);
    }
    static AlgSet family(AlgFamily family) noexcept;
    // From bits(); bits naming no algorithm are dropped.
    static constexpr AlgSet fromBits(std::uint32_t bits) noexcept
    {
        return AlgSet(bits & all().bits_);
    }

    constexpr bool contains(Alg alg) const noexcept
    {
        return (bits_ & of(alg).bits_) != 0;
    }
    constexpr bool empty() const noexcept { return bits_ == 0; }
    constexpr std::uint32_t bits() const noexcept { return bits_; }

    constexpr AlgSet operator|(AlgSet other) const noexcept
    {
        return AlgSet(bits_ | other.bits_);
    }
    constexpr AlgSet operator&(AlgSet other) const noexcept
    {
        return AlgSet(bits_ & other.bits_);
    }
    AlgSet &operator|=(AlgSet other) noexcept
    {
        bits_ |= other.bits_;
        return *this;
    }
    constexpr bool operator==(AlgSet other) const noexcept
    {
        return bits_ == other.bits_;
    }
    constexpr bool operator!=(AlgSet other) const noexcept
    {
        return bits_ != other.bits_;
    }

    // "RS256 PS256" in enum order, for messages.
    std::string names() const;

private:
    constexpr explicit AlgSet(std::uint32_t bits) noexcept : bits_(bits) {}

    std::uint32_t bits_ = 0;
};

}  // namespace authjwt
