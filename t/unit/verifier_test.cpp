// Signature verification: the RFC 7515 and RFC 7520 vectors, every
// algorithm signed here and tampered with bit by bit, algorithm binding,
// key selection, and the order of checks in verifyCompact.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "test_util.hpp"

namespace authjwt {
namespace {

using namespace testutil;

// ---------------------------------------------------------------------
// Tampering sweeps, as google/jwt_verify_lib's test_common.h does them

using Check = std::function<Status(std::string_view compact)>;

struct CompactParts {
    std::string header;
    std::string payload;
    std::string signature;
};

CompactParts splitParts(const std::string &compact)
{
    std::size_t first = compact.find('.');
    std::size_t second = compact.find('.', first + 1);
    return {compact.substr(0, first),
            compact.substr(first + 1, second - first - 1),
            compact.substr(second + 1)};
}

std::string flipBit(std::string bytes, std::size_t bit)
{
    bytes[bit / 8] = static_cast<char>(bytes[bit / 8] ^ (1 << (bit % 8)));
    return bytes;
}

// Counts the cases where check gives something unexpected, and remembers
// the first, so that a broken verifier fails with one readable line.
class Sweep {
public:
    Sweep(const char *what, const Check &check) : what_(what), check_(check)
    {
    }

    void expectStatus(const std::string &compact, Status expected,
                      std::size_t index)
    {
        Status got = check_(compact);
        if (got != expected) {
            note(index, got);
        }
    }

    void expectNotOk(const std::string &compact, std::size_t index)
    {
        Status got = check_(compact);
        if (got == Status::Ok) {
            note(index, got);
        }
    }

    void expectOneOf(const std::string &compact, Status a, Status b,
                     std::size_t index)
    {
        Status got = check_(compact);
        if (got != a && got != b) {
            note(index, got);
        }
    }

    ~Sweep()
    {
        EXPECT_EQ(failures_, 0u)
            << what_ << ": first unexpected status at " << firstIndex_
            << ": " << statusCode(firstStatus_);
    }

private:
    void note(std::size_t index, Status got)
    {
        if (failures_++ == 0) {
            firstIndex_ = index;
            firstStatus_ = got;
        }
    }

    const char *what_;
    const Check &check_;
    std::size_t failures_ = 0;
    std::size_t firstIndex_ = 0;
    Status firstStatus_ = Status::Ok;
};

// Every single-bit change of the signature and of the signing input, and
// every shorter or one-byte-longer signature, must fail.
void expectTamperingFails(const std::string &compact, const Check &check)
{
    ASSERT_EQ(check(compact), Status::Ok) << "the untouched token must verify";
    CompactParts parts = splitParts(compact);
    std::string signature = unb64(parts.signature);
    std::string payload = unb64(parts.payload);
    std::string input = parts.header + "." + parts.payload;
    auto assemble = [](const std::string &in, const std::string &sig) {
        return in + "." + sig;
    };

    {
        Sweep sweep("signature bit flip", check);
        for (std::size_t bit = 0; bit < signature.size() * 8; bit++) {
            sweep.expectStatus(assemble(input, b64(flipBit(signature, bit))),
                               Status::BadSignature, bit);
        }
    }
    {
        Sweep sweep("signature truncation", check);
        for (std::size_t len = 0; len < signature.size(); len++) {
            sweep.expectStatus(assemble(input, b64(signature.substr(0, len))),
                               Status::BadSignature, len);
        }
    }
    {
        Sweep sweep("signature extension", check);
        sweep.expectStatus(assemble(input, b64(signature + '\0')),
                           Status::BadSignature, 0);
        sweep.expectStatus(assemble(input, b64(signature + 'x')),
                           Status::BadSignature, 1);
        sweep.expectStatus(assemble(input, b64('\0' + signature)),
                           Status::BadSignature, 2);
    }
    {
        // One character less or more of base64url text: either the text
        // is no longer canonical, or it decodes to a signature of the
        // wrong length.
        Sweep sweep("signature text truncation or extension", check);
        std::string text = parts.signature;
        sweep.expectOneOf(assemble(input, text.substr(0, text.size() - 1)),
                          Status::Malformed, Status::BadSignature, 0);
        sweep.expectOneOf(assemble(input, text + "A"), Status::Malformed,
                          Status::BadSignature, 1);
        sweep.expectOneOf(assemble(input, text + "AA"), Status::Malformed,
                          Status::BadSignature, 2);
    }
    {
        Sweep sweep("signing input bit flip", check);
        for (std::size_t bit = 0; bit < input.size() * 8; bit++) {
            sweep.expectNotOk(assemble(flipBit(input, bit), parts.signature),
                              bit);
        }
    }
    {
        // The decoded payload, changed and encoded again: the token stays
        // well-formed, so only the signature can catch it.
        Sweep sweep("payload bit flip", check);
        for (std::size_t bit = 0; bit < payload.size() * 8; bit++) {
            std::string changed = parts.header + "."
                                  + b64(flipBit(payload, bit));
            sweep.expectStatus(assemble(changed, parts.signature),
                               Status::BadSignature, bit);
        }
    }
}

Check fullCheck(const KeySet &keys, std::int64_t now = kNow,
                VerifyOptions options = {})
{
    return [&keys, now, options](std::string_view compact) {
        return verifyStatus(compact, keys, options, now);
    };
}

Check signatureCheck(const KeySet &keys)
{
    return [&keys](std::string_view compact) {
        return signatureStatus(compact, keys);
    };
}

// ---------------------------------------------------------------------
// RFC 7515 Appendix A

// A.1 and A.2 share this payload: {"iss":"joe",CRLF "exp":1300819380,CRLF
// "http://example.com/is_root":true}.
const std::string kRfc7515Payload =
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFt"
    "cGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
constexpr std::int64_t kRfc7515Exp = 1300819380;

// RFC 7515 A.1.1: the HMAC key as a JWK.
const char kA1Jwk[] =
    R"({"kty":"oct",)"
    R"("k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75)"
    R"(aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"})";

// RFC 7515 A.1.1: {"typ":"JWT",CRLF "alg":"HS256"} and the HS256 JWS.
const std::string kA1Token =
    "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9." + kRfc7515Payload
    + ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

// RFC 7515 A.2.1: the RSA public key (n, e) as a JWK.
const char kA2Jwk[] =
    R"({"kty":"RSA",)"
    R"("n":"ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddx)"
    R"(HmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMs)"
    R"(D1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSH)"
    R"(SXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdV)"
    R"(MTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8)"
    R"(NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ",)"
    R"("e":"AQAB"})";

// RFC 7515 A.2.1: {"alg":"RS256"} and the RS256 JWS.
const std::string kA2Token =
    "eyJhbGciOiJSUzI1NiJ9." + kRfc7515Payload + "."
    "cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7"
    "AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4"
    "BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K"
    "0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqv"
    "hJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrB"
    "p0igcN_IoypGlUPQGe77Rw";

// RFC 7515 A.3.1: the P-256 public key as a JWK.
const char kA3Jwk[] =
    R"({"kty":"EC","crv":"P-256",)"
    R"("x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",)"
    R"("y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"})";

// RFC 7515 A.3.1: {"alg":"ES256"} and the ES256 JWS (R || S).
const std::string kA3Token =
    "eyJhbGciOiJFUzI1NiJ9." + kRfc7515Payload + "."
    "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSA"
    "pmWQxfKTUJqPP3-Kg6NU1Q";

// RFC 7515 A.4.1: the P-521 public key as a JWK.
const char kA4Jwk[] =
    R"({"kty":"EC","crv":"P-521",)"
    R"("x":"AekpBQ8ST8a8VcfVOTNl353vSrDCLLJXmPk06wTjxrrjcBpXp5EOnYG_)"
    R"(NjFZ6OvLFV1jSfS9tsz4qUxcWceqwQGk",)"
    R"("y":"ADSmRA43Z1DSNx_RvcLI87cdL07l6jQyyBXMoxVg_l2Th-x3S1WDhjDl)"
    R"(y79ajL4Kkd0AZMaZmh9ubmf63e3kyMj2"})";

// RFC 7515 A.4.1: {"alg":"ES512"}, the payload "Payload" and the ES512
// JWS.
const std::string kA4Token =
    "eyJhbGciOiJFUzUxMiJ9.UGF5bG9hZA."
    "AdwMgeerwtHoh-l192l60hp9wAHZFVJbLfD_UxMi70cwnZOYaRI1bKPWROc-mZZq"
    "wqT2SI-KGDKB34XO0aw_7XdtAG8GaSwFKdCAPZgoXD2YBJZCPEX3xKpRwcdOO8Kp"
    "EHwJjyqOgzDO7iKvU8vcnwNrmxYbSW9ERBXukOXolLzeO_Jn";

// RFC 7515 A.5: {"alg":"none"}, the A.1 payload and an empty signature.
const std::string kA5Token = "eyJhbGciOiJub25lIn0." + kRfc7515Payload + ".";

TEST(Rfc7515, A1Hs256VerifiesBeforeExp)
{
    KeySet keys = keySetOf(jwkKey(kA1Jwk));
    Verification v(kA1Token, keys, {}, kRfc7515Exp - 1);
    ASSERT_EQ(v.status, Status::Ok);
    EXPECT_EQ(v.out.token.alg, std::optional<Alg>(Alg::HS256));
    std::string_view iss;
    ASSERT_TRUE(jsonStringMember(v.out.payload.get(), "iss", iss));
    EXPECT_EQ(iss, "joe");
    EXPECT_TRUE(json_is_true(
        json_object_get(v.out.payload.get(), "http://example.com/is_root")));
}

TEST(Rfc7515, A1Hs256IsExpiredAtExp)
{
    KeySet keys = keySetOf(jwkKey(kA1Jwk));
    EXPECT_EQ(verifyStatus(kA1Token, keys, {}, kRfc7515Exp), Status::Expired);
    EXPECT_EQ(verifyStatus(kA1Token, keys, {}, kRfc7515Exp + 1),
              Status::Expired);
    VerifyOptions lenient;
    lenient.time.leewaySeconds = 1;
    EXPECT_EQ(verifyStatus(kA1Token, keys, lenient, kRfc7515Exp), Status::Ok);
}

TEST(Rfc7515, A1TamperingFails)
{
    KeySet keys = keySetOf(jwkKey(kA1Jwk));
    expectTamperingFails(kA1Token, fullCheck(keys, kRfc7515Exp - 1));
}

// A key's HMAC context is restarted by each verification, not copied: a
// failed check must leave nothing behind for the next one.
TEST(Rfc7515, A1HmacContextIsRestartedEveryTime)
{
    KeySet keys = keySetOf(jwkKey(kA1Jwk));
    std::string forged = kA1Token;
    forged[forged.size() - 5] = forged[forged.size() - 5] == 'A' ? 'B' : 'A';
    std::string otherInput = kA1Token;
    otherInput[3] = otherInput[3] == 'A' ? 'B' : 'A';

    for (int i = 0; i < 3; i++) {
        EXPECT_EQ(verifyStatus(kA1Token, keys, {}, kRfc7515Exp - 1),
                  Status::Ok);
        EXPECT_EQ(verifyStatus(forged, keys, {}, kRfc7515Exp - 1),
                  Status::BadSignature);
        EXPECT_NE(verifyStatus(otherInput, keys, {}, kRfc7515Exp - 1),
                  Status::Ok);
    }
    EXPECT_EQ(verifyStatus(kA1Token, keys, {}, kRfc7515Exp - 1), Status::Ok);
}

TEST(Rfc7515, A2Rs256Verifies)
{
    KeySet keys = keySetOf(jwkKey(kA2Jwk));
    EXPECT_EQ(verifyStatus(kA2Token, keys, {}, kRfc7515Exp - 1), Status::Ok);
    EXPECT_EQ(verifyStatus(kA2Token, keys, {}, kRfc7515Exp), Status::Expired);
    expectTamperingFails(kA2Token, fullCheck(keys, kRfc7515Exp - 1));
}

TEST(Rfc7515, A3Es256Verifies)
{
    KeySet keys = keySetOf(jwkKey(kA3Jwk));
    EXPECT_EQ(verifyStatus(kA3Token, keys, {}, kRfc7515Exp - 1), Status::Ok);
    EXPECT_EQ(verifyStatus(kA3Token, keys, {}, kRfc7515Exp), Status::Expired);
    expectTamperingFails(kA3Token, fullCheck(keys, kRfc7515Exp - 1));
}

TEST(Rfc7515, A4Es512Verifies)
{
    // The payload is the octets "Payload", not JSON: the signature holds,
    // and the whole path then refuses the payload.
    KeySet keys = keySetOf(jwkKey(kA4Jwk));
    EXPECT_EQ(signatureStatus(kA4Token, keys), Status::Ok);
    EXPECT_EQ(verifyStatus(kA4Token, keys), Status::BadPayload);
    expectTamperingFails(kA4Token, signatureCheck(keys));
}

TEST(Rfc7515, A5UnsecuredJwsIsNeverAccepted)
{
    KeySet keys = keySetOf(jwkKey(kA1Jwk), jwkKey(kA2Jwk), jwkKey(kA3Jwk));
    EXPECT_EQ(verifyStatus(kA5Token, keys, {}, kRfc7515Exp - 1),
              Status::AlgNotAllowed);
    EXPECT_EQ(signatureStatus(kA5Token, keys), Status::AlgNotAllowed);
    EXPECT_EQ(verifyStatus(kA5Token, KeySet(), {}, kRfc7515Exp - 1),
              Status::AlgNotAllowed);
    // Not even with a signature attached.
    std::string signedNone = mint(R"({"alg":"none"})", unb64(kRfc7515Payload),
                                  hmacSigner(Alg::HS256, kSecret32));
    EXPECT_EQ(verifyStatus(signedNone, keys, {}, kRfc7515Exp - 1),
              Status::AlgNotAllowed);
}

TEST(Rfc7515, VectorsNeedTheirOwnKey)
{
    // Each vector fails under every other vector's key.
    KeySet a1 = keySetOf(jwkKey(kA1Jwk));
    KeySet a2 = keySetOf(jwkKey(kA2Jwk));
    KeySet a3 = keySetOf(jwkKey(kA3Jwk));
    KeySet a4 = keySetOf(jwkKey(kA4Jwk));
    EXPECT_EQ(signatureStatus(kA1Token, a2), Status::NoKey);
    EXPECT_EQ(signatureStatus(kA2Token, a1), Status::NoKey);
    EXPECT_EQ(signatureStatus(kA3Token, a4), Status::NoKey);
    EXPECT_EQ(signatureStatus(kA4Token, a3), Status::NoKey);
}

// ---------------------------------------------------------------------
// RFC 7520 section 4, with the keys of section 3

// RFC 7520 4: the payload of every signature example, a quotation that is
// not JSON (so only the signature step applies).
const std::string kRfc7520Payload =
    "SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IH"
    "lvdXIgZG9vci4gWW91IHN0ZXAgb250byB0aGUgcm9hZCwgYW5kIGlmIHlvdSBk"
    "b24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5vIGtub3dpbmcgd2hlcm"
    "UgeW91IG1pZ2h0IGJlIHN3ZXB0IG9mZiB0by4";

// RFC 7520 3.3 (Figure 3): the RSA public key.
const char kRfc7520RsaJwk[] =
    R"({"kty":"RSA","kid":"bilbo.baggins@hobbiton.example","use":"sig",)"
    R"("n":"n4EPtAOCc9AlkeQHPzHStgAbgs7bTZLwUBZdR8_KuKPEHLd4rHVTeT-O-XV2jR)"
    R"(ojdNhxJWTDvNd7nqQ0VEiZQHz_AJmSCpMaJMRBSFKrKb2wqVwGU_NsYOYL-QtiWN2)"
    R"(lbzcEe6XC0dApr5ydQLrHqkHHig3RBordaZ6Aj-oBHqFEHYpPe7Tpe-OfVfHd1E6)"
    R"(cS6M1FZcD1NNLYD5lFHpPI9bTwJlsde3uhGqC0ZCuEHg8lhzwOHrtIQbS0FVbb9k3)"
    R"(-tVTU4fg_3L_vniUFAKwuCLqKnS2BYwdq_mzSnbLY7h_qixoR7jig3__kRhuaxwUk)"
    R"(Rz5iaiQkqgc5gHdrNP5zw",)"
    R"("e":"AQAB"})";

// RFC 7520 3.1 (Figure 1): the P-521 public key.
const char kRfc7520EcJwk[] =
    R"({"kty":"EC","kid":"bilbo.baggins@hobbiton.example","use":"sig",)"
    R"("crv":"P-521",)"
    R"("x":"AHKZLLOsCOzz5cY97ewNUajB957y-C-U88c3v13nmGZx6sYl_oJXu9A5RkT)"
    R"(KqjqvjyekWF-7ytDyRXYgCF5cj0Kt",)"
    R"("y":"AdymlHvOiLxXkEhayXQnNCvDX4h9htZaCJN34kfmC6pV5OhQHiraVySsUda)"
    R"(QkAgDPrwQrJmbnX9cwlGfP-HqHZR1"})";

// RFC 7520 3.5 (Figure 5): the symmetric key for MAC computation.
const char kRfc7520OctJwk[] =
    R"({"kty":"oct","kid":"018c0ae5-4d9b-471b-bfd6-eef314bc7037",)"
    R"("use":"sig","alg":"HS256",)"
    R"("k":"hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg"})";

// RFC 7520 4.1.3 (Figure 13): RSA v1.5 signature, RS256.
const std::string kRfc7520Rs256 =
    "eyJhbGciOiJSUzI1NiIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZX"
    "hhbXBsZSJ9." + kRfc7520Payload + "."
    "MRjdkly7_-oTPTS3AXP41iQIGKa80A0ZmTuV5MEaHoxnW2e5CZ5NlKtainoFmK"
    "ZopdHM1O2U4mwzJdQx996ivp83xuglII7PNDi84wnB-BDkoBwA78185hX-Es4J"
    "IwmDLJK3lfWRa-XtL0RnltuYv746iYTh_qHRD68BNt1uSNCrUCTJDt5aAE6x8w"
    "W1Kt9eRo4QPocSadnHXFxnt8Is9UzpERV0ePPQdLuW3IS_de3xyIrDaLGdjluP"
    "xUAhb6L2aXic1U12podGU0KLUQSE_oI-ZnmKJ3F4uOZDnd6QZWJushZ41Axf_f"
    "cIe8u9ipH84ogoree7vjbU5y18kDquDg";

// RFC 7520 4.2.3 (Figure 20): RSA-PSS signature, PS384. PSS is
// randomized, so only this given signature can be checked.
const std::string kRfc7520Ps384 =
    "eyJhbGciOiJQUzM4NCIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZX"
    "hhbXBsZSJ9." + kRfc7520Payload + "."
    "cu22eBqkYDKgIlTpzDXGvaFfz6WGoz7fUDcfT0kkOy42miAh2qyBzk1xEsnk2I"
    "pN6-tPid6VrklHkqsGqDqHCdP6O8TTB5dDDItllVo6_1OLPpcbUrhiUSMxbbXU"
    "vdvWXzg-UD8biiReQFlfz28zGWVsdiNAUf8ZnyPEgVFn442ZdNqiVJRmBqrYRX"
    "e8P_ijQ7p8Vdz0TTrxUeT3lm8d9shnr2lfJT8ImUjvAA2Xez2Mlp8cBE5awDzT"
    "0qI0n6uiP1aCN_2_jLAeQTlqRHtfa64QQSUmFAAjVKPbByi7xho0uTOcbH510a"
    "6GYmJUAfmWjwZ6oD4ifKo8DYM-X72Eaw";

// RFC 7520 4.3.3 (Figure 27): ECDSA signature, ES512.
const std::string kRfc7520Es512 =
    "eyJhbGciOiJFUzUxMiIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZX"
    "hhbXBsZSJ9." + kRfc7520Payload + "."
    "AE_R_YZCChjn4791jSQCrdPZCNYqHXCTZH0-JZGYNlaAjP2kqaluUIIUnC9qvb"
    "u9Plon7KRTzoNEuT4Va2cmL1eJAQy3mtPBu_u_sDDyYjnAMDxXPn7XrT0lw-kv"
    "AD890jl8e2puQens_IEKBpHABlsbEPX6sFY8OcGDqoRuBomu9xQ2";

// RFC 7520 4.4.3 (Figure 34): HMAC-SHA2 integrity protection, HS256.
const std::string kRfc7520Hs256 =
    "eyJhbGciOiJIUzI1NiIsImtpZCI6IjAxOGMwYWU1LTRkOWItNDcxYi1iZmQ2LW"
    "VlZjMxNGJjNzAzNyJ9." + kRfc7520Payload + "."
    "s0h6KThzkfBBBkLspW1h84VsJZFTsPPqMDA7g1Md7p0";

TEST(Rfc7520, Section4_1Rs256)
{
    KeySet keys = keySetOf(jwkKey(kRfc7520RsaJwk));
    EXPECT_EQ(signatureStatus(kRfc7520Rs256, keys), Status::Ok);
    // The payload is not JSON.
    EXPECT_EQ(verifyStatus(kRfc7520Rs256, keys), Status::BadPayload);
    expectTamperingFails(kRfc7520Rs256, signatureCheck(keys));
}

TEST(Rfc7520, Section4_2Ps384)
{
    KeySet keys = keySetOf(jwkKey(kRfc7520RsaJwk));
    EXPECT_EQ(signatureStatus(kRfc7520Ps384, keys), Status::Ok);
    expectTamperingFails(kRfc7520Ps384, signatureCheck(keys));
}

TEST(Rfc7520, Section4_3Es512)
{
    KeySet keys = keySetOf(jwkKey(kRfc7520EcJwk));
    EXPECT_EQ(signatureStatus(kRfc7520Es512, keys), Status::Ok);
    expectTamperingFails(kRfc7520Es512, signatureCheck(keys));
}

TEST(Rfc7520, Section4_4Hs256)
{
    KeySet keys = keySetOf(jwkKey(kRfc7520OctJwk));
    EXPECT_EQ(signatureStatus(kRfc7520Hs256, keys), Status::Ok);
    expectTamperingFails(kRfc7520Hs256, signatureCheck(keys));
}

TEST(Rfc7520, KidSelectsAmongTheSectionThreeKeys)
{
    // All three keys in one set: RSA and EC share a kid, and the type
    // decides between them.
    KeySet keys = keySetOf(jwkKey(kRfc7520RsaJwk), jwkKey(kRfc7520EcJwk),
                           jwkKey(kRfc7520OctJwk));
    for (const std::string *t : {&kRfc7520Rs256, &kRfc7520Ps384,
                                 &kRfc7520Es512, &kRfc7520Hs256})
    {
        EXPECT_EQ(signatureStatus(*t, keys), Status::Ok);
    }
}

TEST(Rfc7520, SymmetricKeyIsBoundToHs256)
{
    // Its JWK says "alg":"HS256": an HS384 token cannot use it.
    KeySet keys = keySetOf(jwkKey(kRfc7520OctJwk));
    std::string hs384 = mint(
        R"({"alg":"HS384","kid":"018c0ae5-4d9b-471b-bfd6-eef314bc7037"})",
        "{}", hmacSigner(Alg::HS384,
                         unb64("hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg")));
    EXPECT_EQ(signatureStatus(hs384, keys), Status::NoKey);
}

// ---------------------------------------------------------------------
// Every algorithm, signed here

struct AlgCase {
    const char *name;
    Alg alg;
    KeyKind kind;   // unused for HS*
};

std::ostream &operator<<(std::ostream &os, const AlgCase &c)
{
    return os << c.name;
}

const AlgCase kAlgCases[] = {
    {"HS256", Alg::HS256, KeyKind::Rsa},
    {"HS384", Alg::HS384, KeyKind::Rsa},
    {"HS512", Alg::HS512, KeyKind::Rsa},
    {"RS256", Alg::RS256, KeyKind::Rsa},
    {"RS384", Alg::RS384, KeyKind::Rsa},
    {"RS512", Alg::RS512, KeyKind::Rsa},
    {"PS256", Alg::PS256, KeyKind::Rsa},
    {"PS384", Alg::PS384, KeyKind::Rsa},
    {"PS512", Alg::PS512, KeyKind::Rsa},
    {"ES256", Alg::ES256, KeyKind::P256},
    {"ES384", Alg::ES384, KeyKind::P384},
    {"ES512", Alg::ES512, KeyKind::P521},
    {"EdDSA_Ed25519", Alg::EdDSA, KeyKind::Ed25519},
    {"EdDSA_Ed448", Alg::EdDSA, KeyKind::Ed448},
};

class EveryAlg : public ::testing::TestWithParam<AlgCase> {
protected:
    bool hmac() const { return algFamily(GetParam().alg) == AlgFamily::Hmac; }

    Signer signer() const
    {
        const AlgCase &c = GetParam();
        return hmac() ? hmacSigner(c.alg, kSecret64)
                      : pkeySigner(c.alg, testKey(c.kind));
    }

    KeySet keys() const
    {
        return hmac() ? keySetOf(secretKey(kSecret64))
                      : keySetOf(publicKey(testKey(GetParam().kind)));
    }

    std::string token(const std::string &payload = kPayload) const
    {
        return mint(headerFor(GetParam().alg), payload, signer());
    }
};

TEST_P(EveryAlg, SignedTokenVerifies)
{
    KeySet k = keys();
    Verification v(token(), k);
    ASSERT_EQ(v.status, Status::Ok);
    EXPECT_EQ(v.out.token.alg, std::optional<Alg>(GetParam().alg));
    std::string_view sub;
    ASSERT_TRUE(jsonStringMember(v.out.payload.get(), "sub", sub));
    EXPECT_EQ(sub, "alice");
}

TEST_P(EveryAlg, SignatureHasTheExactSize)
{
    // RFC 7518: HS* the hash size, RS/PS the modulus, ES 2 x field,
    // Ed25519 64 and Ed448 114 bytes.
    std::string sig = unb64(splitParts(token()).signature);
    const AlgCase &c = GetParam();
    std::size_t expected =
        hmac() ? algDigestSize(c.alg)
        : algFamily(c.alg) == AlgFamily::Ecdsa ? 2 * ecdsaHalf(c.alg)
        : c.kind == KeyKind::Ed25519           ? 64
        : c.kind == KeyKind::Ed448             ? 114
                                               : 256;
    EXPECT_EQ(sig.size(), expected);
}

TEST_P(EveryAlg, EveryChangeIsCaught)
{
    KeySet k = keys();
    expectTamperingFails(token(), fullCheck(k));
}

TEST_P(EveryAlg, AnotherKeyOfTheSameTypeFails)
{
    const AlgCase &c = GetParam();
    KeySet other;
    if (hmac()) {
        other = keySetOf(secretKey(std::string(64, 'k')));
    } else if (c.kind == KeyKind::Rsa) {
        other = keySetOf(publicKey(testKey(KeyKind::Rsa2)));
    } else {
        PkeyPtr fresh(generate(c.kind));
        other = keySetOf(publicKey(fresh.get()));
    }
    EXPECT_EQ(verifyStatus(token(), other), Status::BadSignature);
}

TEST_P(EveryAlg, NotAllowedWhenLeftOutOfTheAllowlist)
{
    KeySet k = keys();
    VerifyOptions options;
    options.allowed = AlgSet::all() & AlgSet::fromBits(
                          ~AlgSet::of(GetParam().alg).bits());
    EXPECT_EQ(verifyStatus(token(), k, options), Status::AlgNotAllowed);
    options.allowed = AlgSet();
    EXPECT_EQ(verifyStatus(token(), k, options), Status::AlgNotAllowed);
    options.allowed = AlgSet::of(GetParam().alg);
    EXPECT_EQ(verifyStatus(token(), k, options), Status::Ok);
}

TEST_P(EveryAlg, EmptySignatureFails)
{
    KeySet k = keys();
    CompactParts parts = splitParts(token());
    EXPECT_EQ(verifyStatus(parts.header + "." + parts.payload + ".", k),
              Status::BadSignature);
}

TEST_P(EveryAlg, VerifyWithKeyAgrees)
{
    KeySet k = keys();
    std::string t = token();
    CompactParts parts = splitParts(t);
    std::string sig = unb64(parts.signature);
    std::string input = parts.header + "." + parts.payload;
    const auto *bytes = reinterpret_cast<const unsigned char *>(sig.data());
    const Key &key = k.keys().front();
    EXPECT_TRUE(verifyWithKey(key, GetParam().alg, input, bytes, sig.size()));
    EXPECT_FALSE(verifyWithKey(key, GetParam().alg, input + "x", bytes,
                               sig.size()));
    EXPECT_FALSE(verifyWithKey(key, GetParam().alg, input, bytes,
                               sig.size() - 1));
    // Under any algorithm the key may not verify, it refuses outright.
    for (Alg other : allAlgs()) {
        if (!key.algs().contains(other)) {
            EXPECT_FALSE(verifyWithKey(key, other, input, bytes, sig.size()))
                << algName(other);
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Algorithms, EveryAlg, ::testing::ValuesIn(kAlgCases),
                         [](const ::testing::TestParamInfo<AlgCase> &info) {
                             return std::string(info.param.name);
                         });

// ---------------------------------------------------------------------
// Algorithm binding (RFC 8725 3.1)

TEST(AlgBinding, JwkAlgRestrictsAnRsaKey)
{
    EVP_PKEY *rsa = testKey(KeyKind::Rsa);
    KeySet keys = keySetOf(jwkKey(publicJwk(rsa, R"(,"alg":"RS256")")));
    auto tokenFor = [rsa](Alg alg) {
        return mint(headerFor(alg), kPayload, pkeySigner(alg, rsa));
    };
    EXPECT_EQ(verifyStatus(tokenFor(Alg::RS256), keys), Status::Ok);
    EXPECT_EQ(verifyStatus(tokenFor(Alg::RS384), keys), Status::NoKey);
    EXPECT_EQ(verifyStatus(tokenFor(Alg::RS512), keys), Status::NoKey);
    EXPECT_EQ(verifyStatus(tokenFor(Alg::PS256), keys), Status::NoKey);
    EXPECT_EQ(verifyStatus(tokenFor(Alg::PS512), keys), Status::NoKey);
}

TEST(AlgBinding, HmacKeysNeverVerifyRsaTokensAndViceVersa)
{
    EVP_PKEY *rsa = testKey(KeyKind::Rsa);
    KeySet hmacOnly = keySetOf(secretKey(kSecret64));
    KeySet rsaOnly = keySetOf(publicKey(rsa));
    for (Alg alg : {Alg::RS256, Alg::RS384, Alg::RS512, Alg::PS256,
                    Alg::PS384, Alg::PS512})
    {
        std::string t = mint(headerFor(alg), kPayload, pkeySigner(alg, rsa));
        EXPECT_EQ(verifyStatus(t, hmacOnly), Status::NoKey) << algName(alg);
        EXPECT_EQ(verifyStatus(t, rsaOnly), Status::Ok) << algName(alg);
    }
    for (Alg alg : {Alg::HS256, Alg::HS384, Alg::HS512}) {
        std::string t = mint(headerFor(alg), kPayload,
                             hmacSigner(alg, kSecret64));
        EXPECT_EQ(verifyStatus(t, rsaOnly), Status::NoKey) << algName(alg);
        EXPECT_EQ(verifyStatus(t, hmacOnly), Status::Ok) << algName(alg);
    }
}

TEST(AlgBinding, PublicKeyTextUsedAsHmacSecretIsRefused)
{
    // The classic confusion: sign HS256 with the RSA public key's PEM (or
    // its DER, or its JWK) as the secret, hoping the verifier feeds the
    // configured key to HMAC.
    EVP_PKEY *rsa = testKey(KeyKind::Rsa);
    KeySet keys = keySetOf(publicKey(rsa));
    std::string pem = publicPem(rsa);
    for (Alg alg : {Alg::HS256, Alg::HS384, Alg::HS512}) {
        std::string t = mint(headerFor(alg), kPayload, hmacSigner(alg, pem));
        EXPECT_EQ(verifyStatus(t, keys), Status::NoKey) << algName(alg);
    }
    std::string jwk = publicJwk(rsa);
    std::string t = mint(headerFor(Alg::HS256), kPayload,
                         hmacSigner(Alg::HS256, jwk));
    EXPECT_EQ(verifyStatus(t, keys), Status::NoKey);
    // Also when the key came from a JWK and from PEM text.
    KeySet fromJwk = keySetOf(jwkKey(jwk));
    EXPECT_EQ(verifyStatus(t, fromJwk), Status::NoKey);
    KeySet fromPem = keySetOf(onlyKey(loadKeyText(pem, "test", AlgSet::all())));
    std::string pemSigned = mint(headerFor(Alg::HS256), kPayload,
                                 hmacSigner(Alg::HS256, pem));
    EXPECT_EQ(verifyStatus(pemSigned, fromPem), Status::NoKey);
}

TEST(AlgBinding, EcAndEdKeysRefuseOtherAlgorithms)
{
    EVP_PKEY *p256 = testKey(KeyKind::P256);
    EVP_PKEY *p384 = testKey(KeyKind::P384);
    KeySet p256Keys = keySetOf(publicKey(p256));
    // ES384 over a P-256 key: the curve fixes the algorithm.
    std::string es384 = mint(headerFor(Alg::ES384), kPayload,
                             pkeySigner(Alg::ES384, p384));
    EXPECT_EQ(verifyStatus(es384, p256Keys), Status::NoKey);
    // Header claims ES384, signed by the P-256 key.
    std::string mislabelled = mint(headerFor(Alg::ES384), kPayload,
                                   pkeySigner(Alg::ES256, p256));
    EXPECT_EQ(verifyStatus(mislabelled, p256Keys), Status::NoKey);
    // An Ed25519 key verifies EdDSA only.
    KeySet edKeys = keySetOf(publicKey(testKey(KeyKind::Ed25519)));
    std::string es256 = mint(headerFor(Alg::ES256), kPayload,
                             pkeySigner(Alg::ES256, p256));
    EXPECT_EQ(verifyStatus(es256, edKeys), Status::NoKey);
    std::string hs = mint(headerFor(Alg::HS256), kPayload,
                          hmacSigner(Alg::HS256, kSecret32));
    EXPECT_EQ(verifyStatus(hs, edKeys), Status::NoKey);
    EXPECT_EQ(verifyStatus(hs, p256Keys), Status::NoKey);
}

TEST(AlgBinding, ShortSecretDoesNotVerifyLongerHashes)
{
    // RFC 7518 3.2: a 32-byte secret is too short for HS384 and HS512.
    KeySet keys = keySetOf(secretKey(kSecret32));
    for (Alg alg : {Alg::HS384, Alg::HS512}) {
        std::string t = mint(headerFor(alg), kPayload,
                             hmacSigner(alg, kSecret32));
        EXPECT_EQ(verifyStatus(t, keys), Status::NoKey) << algName(alg);
    }
    // A key limited to HS256 by configuration, too.
    KeySet limited = keySetOf(secretKey(kSecret64, "", AlgSet::of(Alg::HS256)));
    std::string hs512 = mint(headerFor(Alg::HS512), kPayload,
                             hmacSigner(Alg::HS512, kSecret64));
    EXPECT_EQ(verifyStatus(hs512, limited), Status::NoKey);
}

TEST(AlgBinding, PssSaltMustBeTheHashLength)
{
    // RFC 7518 3.5: the salt is as long as the hash.
    EVP_PKEY *rsa = testKey(KeyKind::Rsa);
    KeySet keys = keySetOf(publicKey(rsa));
    auto pss = [rsa](Alg alg, int saltLength) {
        SignOptions options;
        options.pssSaltLength = saltLength;
        return mint(headerFor(alg), kPayload, pkeySigner(alg, rsa, options));
    };
    EXPECT_EQ(verifyStatus(pss(Alg::PS256, 32), keys), Status::Ok);
    EXPECT_EQ(verifyStatus(pss(Alg::PS256, RSA_PSS_SALTLEN_MAX), keys),
              Status::BadSignature);
    EXPECT_EQ(verifyStatus(pss(Alg::PS256, 0), keys), Status::BadSignature);
    EXPECT_EQ(verifyStatus(pss(Alg::PS256, 20), keys), Status::BadSignature);
    EXPECT_EQ(verifyStatus(pss(Alg::PS256, 33), keys), Status::BadSignature);
    EXPECT_EQ(verifyStatus(pss(Alg::PS384, 48), keys), Status::Ok);
    EXPECT_EQ(verifyStatus(pss(Alg::PS384, 32), keys), Status::BadSignature);
    EXPECT_EQ(verifyStatus(pss(Alg::PS512, 64), keys), Status::Ok);
    EXPECT_EQ(verifyStatus(pss(Alg::PS512, 0), keys), Status::BadSignature);
}

TEST(AlgBinding, PaddingAndHashAreThoseTheAlgNames)
{
    EVP_PKEY *rsa = testKey(KeyKind::Rsa);
    KeySet keys = keySetOf(publicKey(rsa));
    auto labelled = [rsa](Alg header, Alg signer) {
        return mint(headerFor(header), kPayload, pkeySigner(signer, rsa));
    };
    // PKCS#1 v1.5 presented as PSS and the reverse.
    EXPECT_EQ(verifyStatus(labelled(Alg::PS256, Alg::RS256), keys),
              Status::BadSignature);
    EXPECT_EQ(verifyStatus(labelled(Alg::RS256, Alg::PS256), keys),
              Status::BadSignature);
    // The right padding with another hash.
    EXPECT_EQ(verifyStatus(labelled(Alg::RS256, Alg::RS384), keys),
              Status::BadSignature);
    EXPECT_EQ(verifyStatus(labelled(Alg::RS512, Alg::RS256), keys),
              Status::BadSignature);
    EXPECT_EQ(verifyStatus(labelled(Alg::PS384, Alg::PS512), keys),
              Status::BadSignature);
    // ECDSA: a P-521 signature made with SHA-256 under ES512.
    EVP_PKEY *p521 = testKey(KeyKind::P521);
    KeySet ecKeys = keySetOf(publicKey(p521));
    std::string input = b64(headerFor(Alg::ES512)) + "." + b64(kPayload);
    std::string sha256Sig = ecdsaRaw(
        pkeySign(Alg::ES256, p521, input, SignOptions{RSA_PSS_SALTLEN_DIGEST,
                                                      true}),
        66);
    EXPECT_EQ(verifyStatus(input + "." + b64(sha256Sig), ecKeys),
              Status::BadSignature);
}

// A valid ES* token's parts with the signature replaced.
std::string ecdsaWith(Alg alg, EVP_PKEY *pkey,
                      const std::function<void(std::string &)> &change)
{
    std::string input = b64(headerFor(alg)) + "." + b64(kPayload);
    std::string sig = pkeySign(alg, pkey, input);
    change(sig);
    return input + "." + b64(sig);
}

TEST(AlgBinding, EcdsaZeroValuesAreRefused)
{
    // CVE-2022-21449: r = 0 and s = 0 must never verify.
    const std::pair<Alg, KeyKind> curves[] = {{Alg::ES256, KeyKind::P256},
                                              {Alg::ES384, KeyKind::P384},
                                              {Alg::ES512, KeyKind::P521}};
    for (const auto &[alg, kind] : curves) {
        EVP_PKEY *pkey = testKey(kind);
        KeySet keys = keySetOf(publicKey(pkey));
        std::size_t half = ecdsaHalf(alg);
        SCOPED_TRACE(algName(alg));
        EXPECT_EQ(verifyStatus(ecdsaWith(alg, pkey, [](std::string &) {}),
                               keys),
                  Status::Ok);
        EXPECT_EQ(verifyStatus(ecdsaWith(alg, pkey,
                                         [half](std::string &s) {
                                             s.replace(0, half, half, '\0');
                                         }),
                               keys),
                  Status::BadSignature);
        EXPECT_EQ(verifyStatus(ecdsaWith(alg, pkey,
                                         [half](std::string &s) {
                                             s.replace(half, half, half, '\0');
                                         }),
                               keys),
                  Status::BadSignature);
        EXPECT_EQ(verifyStatus(ecdsaWith(alg, pkey,
                                         [](std::string &s) {
                                             s.assign(s.size(), '\0');
                                         }),
                               keys),
                  Status::BadSignature);
        // Values at or above the group order.
        EXPECT_EQ(verifyStatus(ecdsaWith(alg, pkey,
                                         [](std::string &s) {
                                             s.assign(s.size(), '\xff');
                                         }),
                               keys),
                  Status::BadSignature);
    }
}

TEST(AlgBinding, EcdsaValuesOfEveryEncodedShapeVerify)
{
    // R || S becomes DER for OpenSSL, which refuses all but the canonical
    // encoding: a value with leading zero bytes loses them, one whose top
    // bit is then set gains a zero byte, and P-521's sequence needs a
    // two-byte length. Sign until each value has shown each shape.
    const std::pair<Alg, KeyKind> curves[] = {{Alg::ES256, KeyKind::P256},
                                              {Alg::ES384, KeyKind::P384},
                                              {Alg::ES512, KeyKind::P521}};
    constexpr int kMaxSignatures = 6000;
    for (const auto &[alg, kind] : curves) {
        EVP_PKEY *pkey = testKey(kind);
        KeySet keys = keySetOf(publicKey(pkey));
        const Key &key = keys.keys().front();
        std::size_t half = ecdsaHalf(alg);
        SCOPED_TRACE(algName(alg));

        // For R, then S: seen with a leading zero byte; seen needing the
        // sign byte; seen needing neither.
        bool seen[2][3] = {};
        auto allSeen = [&seen] {
            for (const auto &value : seen) {
                for (bool shape : value) {
                    if (!shape) {
                        return false;
                    }
                }
            }
            return true;
        };
        int count = 0;
        for (; count < kMaxSignatures && !allSeen(); count++) {
            std::string input = "input " + std::to_string(count);
            std::string sig = pkeySign(alg, pkey, input);
            ASSERT_EQ(sig.size(), 2 * half);
            const auto *bytes =
                reinterpret_cast<const unsigned char *>(sig.data());
            for (int v = 0; v < 2; v++) {
                const unsigned char *value = bytes + v * half;
                std::size_t first = 0;
                while (first + 1 < half && value[first] == 0) {
                    first++;
                }
                seen[v][0] |= value[0] == 0;
                seen[v][1] |= (value[first] & 0x80) != 0;
                seen[v][2] |= value[0] != 0 && (value[0] & 0x80) == 0;
            }
            ASSERT_TRUE(verifyWithKey(key, alg, input, bytes, sig.size()))
                << "signature " << count;
        }
        EXPECT_TRUE(allSeen()) << "after " << count << " signatures";
    }
}

TEST(AlgBinding, EcdsaDerSignatureIsRefused)
{
    // RFC 7518 3.4: R || S, not the DER ECDSA-Sig-Value.
    const std::pair<Alg, KeyKind> curves[] = {{Alg::ES256, KeyKind::P256},
                                              {Alg::ES384, KeyKind::P384},
                                              {Alg::ES512, KeyKind::P521}};
    for (const auto &[alg, kind] : curves) {
        EVP_PKEY *pkey = testKey(kind);
        KeySet keys = keySetOf(publicKey(pkey));
        SignOptions der;
        der.ecdsaDer = true;
        std::string t = mint(headerFor(alg), kPayload,
                             pkeySigner(alg, pkey, der));
        EXPECT_EQ(verifyStatus(t, keys), Status::BadSignature) << algName(alg);
    }
}

TEST(AlgBinding, EcdsaHalvesMustBeTheFieldSize)
{
    // A P-256 signature with R and S padded to 33 bytes each, or given
    // as 31 + 33: the total or the split is wrong.
    EVP_PKEY *p256 = testKey(KeyKind::P256);
    KeySet keys = keySetOf(publicKey(p256));
    std::string input = b64(headerFor(Alg::ES256)) + "." + b64(kPayload);
    std::string raw = pkeySign(Alg::ES256, p256, input);
    std::string padded = '\0' + raw.substr(0, 32) + '\0' + raw.substr(32);
    EXPECT_EQ(verifyStatus(input + "." + b64(padded), keys),
              Status::BadSignature);
}

TEST(AlgBinding, Ed25519AndEd448KeysTellTheirSignaturesApart)
{
    EVP_PKEY *ed25519 = testKey(KeyKind::Ed25519);
    EVP_PKEY *ed448 = testKey(KeyKind::Ed448);
    std::string t25519 = mint(headerFor(Alg::EdDSA), kPayload,
                              pkeySigner(Alg::EdDSA, ed25519));
    std::string t448 = mint(headerFor(Alg::EdDSA), kPayload,
                            pkeySigner(Alg::EdDSA, ed448));
    KeySet only25519 = keySetOf(publicKey(ed25519));
    KeySet only448 = keySetOf(publicKey(ed448));
    KeySet both = keySetOf(publicKey(ed25519), publicKey(ed448));
    EXPECT_EQ(verifyStatus(t448, only25519), Status::BadSignature);
    EXPECT_EQ(verifyStatus(t25519, only448), Status::BadSignature);
    EXPECT_EQ(verifyStatus(t25519, both), Status::Ok);
    EXPECT_EQ(verifyStatus(t448, both), Status::Ok);
}

TEST(AlgBinding, NoneInAnySpellingIsNotAllowed)
{
    KeySet keys = keySetOf(secretKey(kSecret64),
                           publicKey(testKey(KeyKind::Rsa)));
    for (const char *none : {"none", "None", "NONE", "nOnE", "none "}) {
        std::string unsigned_ = b64(headerFor(none)) + "." + b64(kPayload)
                                + ".";
        EXPECT_EQ(verifyStatus(unsigned_, keys), Status::AlgNotAllowed)
            << none;
        std::string signed_ = mint(headerFor(none), kPayload,
                                   hmacSigner(Alg::HS256, kSecret64));
        EXPECT_EQ(verifyStatus(signed_, keys), Status::AlgNotAllowed) << none;
        EXPECT_EQ(verifyStatus(unsigned_, KeySet()), Status::AlgNotAllowed);
    }
}

TEST(AlgBinding, UnknownAlgorithmsAreNotAllowed)
{
    KeySet keys = keySetOf(secretKey(kSecret64));
    for (const char *name : {"hs256", "HS257", "HS", "", "RSA-OAEP", "dir",
                             "ES256K", "Ed25519", "HS256 ", " HS256"})
    {
        std::string t = mint(headerFor(name), kPayload,
                             hmacSigner(Alg::HS256, kSecret64));
        EXPECT_EQ(verifyStatus(t, keys), Status::AlgNotAllowed) << name;
    }
}

TEST(AlgBinding, AlgOutsideTheAllowlistIsRefusedEvenWhenSigned)
{
    KeySet keys = keySetOf(secretKey(kSecret64));
    std::string t = mint(headerFor(Alg::HS256), kPayload,
                         hmacSigner(Alg::HS256, kSecret64));
    VerifyOptions rsaOnly;
    rsaOnly.allowed = AlgSet::family(AlgFamily::RsaPkcs1);
    EXPECT_EQ(verifyStatus(t, keys, rsaOnly), Status::AlgNotAllowed);
    VerifyOptions hs512Only;
    hs512Only.allowed = AlgSet::of(Alg::HS512);
    EXPECT_EQ(verifyStatus(t, keys, hs512Only), Status::AlgNotAllowed);
}

// ---------------------------------------------------------------------
// Key selection

const std::string kSecretA(32, 'a');
const std::string kSecretB(32, 'b');
const std::string kSecretC(32, 'c');
const std::string kSecretD(32, 'd');

std::string hs256(const std::string &secret, const char *kid)
{
    return mint(headerFor(Alg::HS256, kid), kPayload,
                hmacSigner(Alg::HS256, secret));
}

TEST(KeySelection, KidSelectsThatKeyOnly)
{
    KeySet keys = keySetOf(secretKey(kSecretA, "a"), secretKey(kSecretB, "b"));
    EXPECT_EQ(verifyStatus(hs256(kSecretA, "a"), keys), Status::Ok);
    EXPECT_EQ(verifyStatus(hs256(kSecretB, "b"), keys), Status::Ok);
    // The right secret under the wrong kid: only the named key is tried.
    EXPECT_EQ(verifyStatus(hs256(kSecretB, "a"), keys), Status::BadSignature);
    EXPECT_EQ(verifyStatus(hs256(kSecretA, "b"), keys), Status::BadSignature);
}

TEST(KeySelection, KidIsCaseSensitiveAndExact)
{
    KeySet keys = keySetOf(secretKey(kSecretA, "key-1"));
    EXPECT_EQ(verifyStatus(hs256(kSecretA, "key-1"), keys), Status::Ok);
    EXPECT_EQ(verifyStatus(hs256(kSecretA, "KEY-1"), keys), Status::UnknownKid);
    EXPECT_EQ(verifyStatus(hs256(kSecretA, "key-"), keys), Status::UnknownKid);
    EXPECT_EQ(verifyStatus(hs256(kSecretA, "key-11"), keys),
              Status::UnknownKid);
}

TEST(KeySelection, UnknownKidWhenEveryKeyHasAKid)
{
    KeySet keys = keySetOf(secretKey(kSecretA, "a"), secretKey(kSecretB, "b"));
    // Even a correct signature by one of the keys.
    EXPECT_EQ(verifyStatus(hs256(kSecretA, "zzz"), keys), Status::UnknownKid);
    EXPECT_EQ(verifyStatus(hs256(kSecretA, ""), keys), Status::UnknownKid);
    EXPECT_EQ(verifyStatus(hs256(kSecretA, "zzz"), KeySet()),
              Status::UnknownKid);
}

TEST(KeySelection, UnknownKidFallsBackToKeysWithoutKid)
{
    KeySet keys = keySetOf(secretKey(kSecretA, "a"), secretKey(kSecretC));
    EXPECT_EQ(verifyStatus(hs256(kSecretC, "zzz"), keys), Status::Ok);
    // Only the kid-less keys: key "a" is not tried for an unknown kid.
    EXPECT_EQ(verifyStatus(hs256(kSecretA, "zzz"), keys),
              Status::BadSignature);
    EXPECT_EQ(verifyStatus(hs256(kSecretC, ""), keys), Status::Ok);
}

TEST(KeySelection, KnownKidDoesNotFallBack)
{
    KeySet keys = keySetOf(secretKey(kSecretA, "a"), secretKey(kSecretC));
    EXPECT_EQ(verifyStatus(hs256(kSecretC, "a"), keys), Status::BadSignature);
}

TEST(KeySelection, NoKidTriesEveryKey)
{
    KeySet keys = keySetOf(secretKey(kSecretA, "a"), secretKey(kSecretB, "b"),
                           secretKey(kSecretC));
    EXPECT_EQ(verifyStatus(hs256(kSecretA, nullptr), keys), Status::Ok);
    EXPECT_EQ(verifyStatus(hs256(kSecretB, nullptr), keys), Status::Ok);
    EXPECT_EQ(verifyStatus(hs256(kSecretC, nullptr), keys), Status::Ok);
    EXPECT_EQ(verifyStatus(hs256(kSecretD, nullptr), keys),
              Status::BadSignature);
}

TEST(KeySelection, NoKidTriesOnlyKeysOfTheRightType)
{
    EVP_PKEY *rsa = testKey(KeyKind::Rsa);
    EVP_PKEY *p256 = testKey(KeyKind::P256);
    KeySet keys = keySetOf(publicKey(rsa, "r"), publicKey(p256, "e"),
                           secretKey(kSecretA, "h"));
    EXPECT_EQ(verifyStatus(hs256(kSecretA, nullptr), keys), Status::Ok);
    EXPECT_EQ(verifyStatus(mint(headerFor(Alg::RS256), kPayload,
                                pkeySigner(Alg::RS256, rsa)),
                           keys),
              Status::Ok);
    EXPECT_EQ(verifyStatus(mint(headerFor(Alg::ES256), kPayload,
                                pkeySigner(Alg::ES256, p256)),
                           keys),
              Status::Ok);
    // No key of the type at all.
    EXPECT_EQ(verifyStatus(mint(headerFor(Alg::EdDSA), kPayload,
                                pkeySigner(Alg::EdDSA,
                                           testKey(KeyKind::Ed25519))),
                           keys),
              Status::NoKey);
    EXPECT_EQ(verifyStatus(hs256(kSecretA, nullptr), KeySet()), Status::NoKey);
}

TEST(KeySelection, KidOfAKeyOfAnotherTypeIsNoKey)
{
    // The kid names an RSA key, the token is HS256: the selected key is
    // bound to other algorithms, and the HMAC key is not tried.
    EVP_PKEY *rsa = testKey(KeyKind::Rsa);
    KeySet keys = keySetOf(publicKey(rsa, "r"), secretKey(kSecretA, "h"));
    EXPECT_EQ(verifyStatus(hs256(kSecretA, "r"), keys), Status::NoKey);
    EXPECT_EQ(verifyStatus(hs256(kSecretA, "h"), keys), Status::Ok);
}

TEST(KeySelection, SharedKidTriesEachKeyWithIt)
{
    // Rotation: two keys under one kid, and keys of two types under one.
    KeySet keys = keySetOf(secretKey(kSecretA, "k"), secretKey(kSecretB, "k"),
                           publicKey(testKey(KeyKind::P256), "k"));
    EXPECT_EQ(verifyStatus(hs256(kSecretA, "k"), keys), Status::Ok);
    EXPECT_EQ(verifyStatus(hs256(kSecretB, "k"), keys), Status::Ok);
    EXPECT_EQ(verifyStatus(mint(headerFor(Alg::ES256, "k"), kPayload,
                                pkeySigner(Alg::ES256,
                                           testKey(KeyKind::P256))),
                           keys),
              Status::Ok);
    EXPECT_EQ(verifyStatus(hs256(kSecretC, "k"), keys), Status::BadSignature);
}

TEST(KeySelection, HeaderKeysAreNeverUsed)
{
    // An attacker signs with their own key and names it in the header by
    // value ("jwk", "x5c") or by reference ("jku", "x5u").
    EVP_PKEY *mine = testKey(KeyKind::Rsa);
    EVP_PKEY *attacker = testKey(KeyKind::Rsa2);
    KeySet keys = keySetOf(publicKey(mine));
    std::string attackerJwk = publicJwk(attacker);
    std::string der;
    {
        unsigned char *buf = nullptr;
        int len = i2d_PUBKEY(attacker, &buf);
        ASSERT_GT(len, 0);
        der.assign(reinterpret_cast<char *>(buf),
                   static_cast<std::size_t>(len));
        OPENSSL_free(buf);
    }
    const std::string headers[] = {
        R"({"alg":"RS256","jwk":)" + attackerJwk + "}",
        R"({"alg":"RS256","jku":"https://attacker.example/jwks.json"})",
        R"({"alg":"RS256","x5u":"https://attacker.example/cert.pem"})",
        R"({"alg":"RS256","x5c":[")" + b64(der) + R"("]})",
        R"({"alg":"RS256","kid":"attacker","jwk":)" + attackerJwk + "}",
    };
    for (const std::string &header : headers) {
        std::string forged = mint(header, kPayload,
                                  pkeySigner(Alg::RS256, attacker));
        Status s = verifyStatus(forged, keys);
        EXPECT_NE(s, Status::Ok) << header;
        EXPECT_TRUE(s == Status::BadSignature || s == Status::UnknownKid)
            << header << ": " << statusCode(s);
        EXPECT_NE(verifyStatus(forged, KeySet()), Status::Ok) << header;
        // The members are ignored, not refused: our own key still works.
        std::string genuine = mint(header, kPayload,
                                   pkeySigner(Alg::RS256, mine));
        if (header.find("kid") == std::string::npos) {
            EXPECT_EQ(verifyStatus(genuine, keys), Status::Ok) << header;
        }
    }
    // The same with an HMAC secret carried in a "jwk".
    KeySet hmacKeys = keySetOf(secretKey(kSecretA));
    std::string forged = mint(
        R"({"alg":"HS256","jwk":{"kty":"oct","k":")" + b64(kSecretD) + "\"}}",
        kPayload, hmacSigner(Alg::HS256, kSecretD));
    EXPECT_EQ(verifyStatus(forged, hmacKeys), Status::BadSignature);
}

// ---------------------------------------------------------------------
// verifyCompact: the order of checks and what it fills in

class VerifyCompact : public ::testing::Test {
protected:
    KeySet keys = keySetOf(secretKey(kSecret32, "k"));

    static std::string signedToken(const std::string &header,
                                   const std::string &payload)
    {
        return mint(header, payload, hmacSigner(Alg::HS256, kSecret32));
    }

    static std::string forgedToken(const std::string &header,
                                   const std::string &payload)
    {
        return mint(header, payload, hmacSigner(Alg::HS256, kSecretD));
    }
};

TEST_F(VerifyCompact, FillsTokenAndPayloadOnSuccess)
{
    Verification v(signedToken(headerFor(Alg::HS256, "k"),
                               R"({"sub":"alice","exp":2000000000})"),
                   keys);
    ASSERT_EQ(v.status, Status::Ok);
    EXPECT_EQ(v.out.token.alg, std::optional<Alg>(Alg::HS256));
    ASSERT_TRUE(v.out.token.kid);
    EXPECT_EQ(*v.out.token.kid, "k");
    ASSERT_TRUE(v.out.payload);
    EXPECT_EQ(jsonCompactText(v.out.payload.get()),
              R"({"sub":"alice","exp":2000000000})");
}

TEST_F(VerifyCompact, NoPayloadUnlessEverythingHolds)
{
    // The header is available for logging; the payload only once trusted.
    Verification expired(signedToken(headerFor(Alg::HS256),
                                      R"({"sub":"alice","exp":1})"),
                         keys);
    EXPECT_EQ(expired.status, Status::Expired);
    EXPECT_FALSE(expired.out.payload);
    EXPECT_EQ(expired.out.token.alg, std::optional<Alg>(Alg::HS256));

    Verification forged(forgedToken(headerFor(Alg::HS256), kPayload), keys);
    EXPECT_EQ(forged.status, Status::BadSignature);
    EXPECT_FALSE(forged.out.payload);

    Verification notJson(signedToken(headerFor(Alg::HS256), "[1]"), keys);
    EXPECT_EQ(notJson.status, Status::BadPayload);
    EXPECT_FALSE(notJson.out.payload);
}

TEST_F(VerifyCompact, PayloadMustBeAJsonObject)
{
    for (const char *payload : {"[]", R"(["sub"])", R"("alice")", "42", "",
                                "not json", R"({"sub":"a","sub":"b"})",
                                R"({"exp":2000000000,"exp":1})"})
    {
        EXPECT_EQ(verifyStatus(signedToken(headerFor(Alg::HS256), payload),
                               keys),
                  Status::BadPayload)
            << payload;
    }
}

TEST_F(VerifyCompact, DeeplyNestedPayloadIsBadPayload)
{
    std::string payload = R"({"exp":2000000000,"x":)"
                          + std::string(10000, '[') + std::string(10000, ']')
                          + "}";
    std::string t = signedToken(headerFor(Alg::HS256), payload);
    VerifyOptions options;
    options.maxSize = t.size();
    EXPECT_EQ(verifyStatus(t, keys, options), Status::BadPayload);
}

TEST_F(VerifyCompact, ChecksRunInTheDocumentedOrder)
{
    VerifyOptions small;
    small.maxSize = 10;
    // Size before shape.
    EXPECT_EQ(verifyStatus("a.b.c.d.e.f.g", keys, small), Status::TooLarge);
    // Shape before header.
    EXPECT_EQ(verifyStatus("!!!.e30.", keys), Status::Malformed);
    // Header before crit, crit before the allowlist.
    EXPECT_EQ(verifyStatus(signedToken(R"({"crit":["x"]})", kPayload), keys),
              Status::BadHeader);
    EXPECT_EQ(verifyStatus(signedToken(R"({"alg":"none","crit":["x"]})",
                                       kPayload),
                           keys),
              Status::UnsupportedCrit);
    // Allowlist before kid.
    EXPECT_EQ(verifyStatus(signedToken(R"({"alg":"none","kid":"zzz"})",
                                       kPayload),
                           keys),
              Status::AlgNotAllowed);
    // Kid before the signature.
    EXPECT_EQ(verifyStatus(forgedToken(headerFor(Alg::HS256, "zzz"),
                                       kPayload),
                           keys),
              Status::UnknownKid);
    // Key type before the signature.
    EXPECT_EQ(verifyStatus(forgedToken(headerFor(Alg::RS256), kPayload), keys),
              Status::NoKey);
    // Signature before the payload and the claims.
    EXPECT_EQ(verifyStatus(forgedToken(headerFor(Alg::HS256), "[]"), keys),
              Status::BadSignature);
    EXPECT_EQ(verifyStatus(forgedToken(headerFor(Alg::HS256), "{}"), keys),
              Status::BadSignature);
    EXPECT_EQ(verifyStatus(forgedToken(headerFor(Alg::HS256),
                                       R"({"exp":1})"),
                           keys),
              Status::BadSignature);
    // Payload before claims.
    EXPECT_EQ(verifyStatus(signedToken(headerFor(Alg::HS256),
                                       R"({"exp":1,"exp":1})"),
                           keys),
              Status::BadPayload);
}

TEST_F(VerifyCompact, MaxSizeComesFromTheOptions)
{
    std::string t = signedToken(headerFor(Alg::HS256), kPayload);
    VerifyOptions exact;
    exact.maxSize = t.size();
    EXPECT_EQ(verifyStatus(t, keys, exact), Status::Ok);
    exact.maxSize = t.size() - 1;
    EXPECT_EQ(verifyStatus(t, keys, exact), Status::TooLarge);
    // The default is kDefaultMaxTokenSize.
    std::string big = signedToken(
        headerFor(Alg::HS256),
        R"({"exp":2000000000,"pad":")" + std::string(7000, 'x') + "\"}");
    ASSERT_GT(big.size(), kDefaultMaxTokenSize);
    EXPECT_EQ(verifyStatus(big, keys), Status::TooLarge);
    VerifyOptions large;
    large.maxSize = big.size();
    EXPECT_EQ(verifyStatus(big, keys, large), Status::Ok);
}

TEST_F(VerifyCompact, EmptyIsMissingAndTinyScratchIsInternalError)
{
    EXPECT_EQ(verifyStatus("", keys), Status::Missing);
    std::string t = signedToken(headerFor(Alg::HS256), kPayload);
    std::vector<unsigned char> scratch(tokenScratchSize(t.size()) - 1);
    VerifiedToken out;
    EXPECT_EQ(verifyCompact(t, keys, {}, kNow, scratch.data(), scratch.size(),
                            out),
              Status::InternalError);
}

TEST_F(VerifyCompact, ResultCanBeReused)
{
    std::string good = signedToken(headerFor(Alg::HS256), kPayload);
    std::string bad = forgedToken(headerFor(Alg::HS256), kPayload);
    std::vector<unsigned char> scratch(tokenScratchSize(good.size()));
    VerifiedToken out;
    EXPECT_EQ(verifyCompact(good, keys, {}, kNow, scratch.data(),
                            scratch.size(), out),
              Status::Ok);
    EXPECT_TRUE(out.payload);
    VerifiedToken again;
    EXPECT_EQ(verifyCompact(bad, keys, {}, kNow, scratch.data(),
                            scratch.size(), again),
              Status::BadSignature);
    EXPECT_EQ(verifyCompact(good, keys, {}, kNow, scratch.data(),
                            scratch.size(), out),
              Status::Ok);
}

TEST_F(VerifyCompact, ReusedTokenForgetsTheEarlierKid)
{
    KeySet twoKeys = keySetOf(secretKey(kSecretA, "a"), secretKey(kSecretB));
    std::string withKid = hs256(kSecretA, "a");
    std::string withoutKid = hs256(kSecretB, nullptr);
    std::vector<unsigned char> scratch(tokenScratchSize(withKid.size()));
    VerifiedToken out;
    ASSERT_EQ(verifyCompact(withKid, twoKeys, {}, kNow, scratch.data(),
                            scratch.size(), out),
              Status::Ok);
    std::vector<unsigned char> scratch2(tokenScratchSize(withoutKid.size()));
    EXPECT_EQ(verifyCompact(withoutKid, twoKeys, {}, kNow, scratch2.data(),
                            scratch2.size(), out),
              Status::Ok);
    EXPECT_FALSE(out.token.kid);
}

TEST_F(VerifyCompact, ReusedResultHoldsNoPayloadAfterAFailure)
{
    std::string good = signedToken(headerFor(Alg::HS256), kPayload);
    std::string forged = forgedToken(headerFor(Alg::HS256), kPayload);
    std::vector<unsigned char> scratch(tokenScratchSize(good.size()));
    VerifiedToken out;
    ASSERT_EQ(verifyCompact(good, keys, {}, kNow, scratch.data(),
                            scratch.size(), out),
              Status::Ok);
    ASSERT_TRUE(out.payload);
    std::vector<unsigned char> scratch2(tokenScratchSize(forged.size()));
    ASSERT_EQ(verifyCompact(forged, keys, {}, kNow, scratch2.data(),
                            scratch2.size(), out),
              Status::BadSignature);
    EXPECT_FALSE(out.payload);
}

TEST_F(VerifyCompact, LeavesTheOpenSslErrorQueueEmpty)
{
    // The queue is shared with nginx's TLS code.
    ERR_clear_error();
    EVP_PKEY *rsa = testKey(KeyKind::Rsa);
    KeySet all = keySetOf(publicKey(rsa), publicKey(testKey(KeyKind::P256)),
                          publicKey(testKey(KeyKind::Ed25519)),
                          secretKey(kSecret32));
    const std::string bad[] = {
        forgedToken(headerFor(Alg::HS256), kPayload),
        mint(headerFor(Alg::RS256), kPayload,
             pkeySigner(Alg::RS256, testKey(KeyKind::Rsa2))),
        mint(headerFor(Alg::PS256), kPayload,
             pkeySigner(Alg::PS256, testKey(KeyKind::Rsa2))),
        ecdsaWith(Alg::ES256, testKey(KeyKind::P256),
                  [](std::string &s) { s[5] ^= 1; }),
        ecdsaWith(Alg::ES256, testKey(KeyKind::P256),
                  [](std::string &s) { s.assign(s.size(), '\xff'); }),
        mint(headerFor(Alg::EdDSA), kPayload,
             [](std::string_view) { return std::string(64, '\x01'); }),
    };
    for (const std::string &t : bad) {
        EXPECT_EQ(verifyStatus(t, all), Status::BadSignature);
        EXPECT_EQ(ERR_peek_error(), 0ul);
        ERR_clear_error();
    }
}

}  // namespace
}  // namespace authjwt
