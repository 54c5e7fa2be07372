#include "alg.hpp"

#include <array>

namespace authjwt {

namespace {

struct AlgInfo {
    const char *name;
    AlgFamily family;
    const char *digest;
    std::size_t digestSize;
};

// Indexed by Alg.
constexpr std::array<AlgInfo, kAlgCount> kAlgs = {{
    {"HS256", AlgFamily::Hmac, "SHA256", 32},
    {"HS384", AlgFamily::Hmac, "SHA384", 48},
    {"HS512", AlgFamily::Hmac, "SHA512", 64},
    {"RS256", AlgFamily::RsaPkcs1, "SHA256", 32},
    {"RS384", AlgFamily::RsaPkcs1, "SHA384", 48},
    {"RS512", AlgFamily::RsaPkcs1, "SHA512", 64},
    {"PS256", AlgFamily::RsaPss, "SHA256", 32},
    {"PS384", AlgFamily::RsaPss, "SHA384", 48},
    {"PS512", AlgFamily::RsaPss, "SHA512", 64},
    {"ES256", AlgFamily::Ecdsa, "SHA256", 32},
    {"ES384", AlgFamily::Ecdsa, "SHA384", 48},
    {"ES512", AlgFamily::Ecdsa, "SHA512", 64},
    {"EdDSA", AlgFamily::EdDsa, nullptr, 0},
}};

const AlgInfo &info(Alg alg) noexcept
{
    return kAlgs[static_cast<unsigned>(alg)];
}

}  // namespace

std::optional<Alg> algFromName(std::string_view name) noexcept
{
    for (unsigned i = 0; i < kAlgCount; i++) {
        if (name == kAlgs[i].name) {
            return static_cast<Alg>(i);
        }
    }
    return std::nullopt;
}

const char *algName(Alg alg) noexcept
{
    return info(alg).name;
}

AlgFamily algFamily(Alg alg) noexcept
{
    return info(alg).family;
}

const char *algDigestName(Alg alg) noexcept
{
    return info(alg).digest;
}

std::size_t algDigestSize(Alg alg) noexcept
{
    return info(alg).digestSize;
}

AlgSet AlgSet::family(AlgFamily family) noexcept
{
    AlgSet set;
    for (unsigned i = 0; i < kAlgCount; i++) {
        if (kAlgs[i].family == family) {
            set |= of(static_cast<Alg>(i));
        }
    }
    return set;
}

std::string AlgSet::names() const
{
    std::string out;
    for (unsigned i = 0; i < kAlgCount; i++) {
        if (contains(static_cast<Alg>(i))) {
            if (!out.empty()) {
                out += ' ';
            }
            out += kAlgs[i].name;
        }
    }
    return out;
}

}  // namespace authjwt
