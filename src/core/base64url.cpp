#include "base64url.hpp"

#include <array>
#include <cstdint>

namespace authjwt {

namespace {

// Set for a byte outside the alphabet; no sextet reaches this bit.
constexpr std::uint32_t kInvalid = 0x80000000;

// Sextet values for one alphabet, one table per place in a group of four
// characters, already shifted there (18, 12, 6 and 0 bits): a group then
// decodes with four lookups and three ORs. Every other byte maps to
// kInvalid.
struct DecodeTable {
    std::array<std::array<std::uint32_t, 256>, 4> at{};

    constexpr explicit DecodeTable(const char *alphabet) noexcept
    {
        for (auto &place : at) {
            for (auto &v : place) {
                v = kInvalid;
            }
        }
        for (std::uint32_t i = 0; i < 64; i++) {
            auto c = static_cast<unsigned char>(alphabet[i]);
            at[0][c] = i << 18;
            at[1][c] = i << 12;
            at[2][c] = i << 6;
            at[3][c] = i;
        }
    }
};

constexpr char kUrlAlphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr char kStdAlphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr DecodeTable kUrlTable(kUrlAlphabet);
constexpr DecodeTable kStdTable(kStdAlphabet);

// Decodes unpadded text in one alphabet, a group of four characters at a
// time. A final group of 2 or 3 characters carries 4 or 2 unused bits,
// which must be zero: otherwise several encodings would decode to the
// same bytes.
std::optional<std::size_t> decodeUnpadded(std::string_view in,
                                          const DecodeTable &table,
                                          unsigned char *out,
                                          std::size_t outSize) noexcept
{
    std::size_t rest = in.size() % 4;
    if (rest == 1) {
        return std::nullopt;
    }
    std::size_t need = in.size() / 4 * 3 + (rest == 0 ? 0 : rest - 1);
    if (need > outSize) {
        return std::nullopt;
    }

    // The bits of the character at i, shifted to its place in a group.
    auto bits = [&](std::size_t i, std::size_t place) -> std::uint32_t {
        return table.at[place][static_cast<unsigned char>(in[i])];
    };

    std::size_t n = 0;
    std::size_t full = in.size() - rest;
    for (std::size_t i = 0; i < full; i += 4) {
        std::uint32_t v = bits(i, 0) | bits(i + 1, 1) | bits(i + 2, 2)
                          | bits(i + 3, 3);
        if ((v & kInvalid) != 0) {
            return std::nullopt;
        }
        out[n++] = static_cast<unsigned char>(v >> 16);
        out[n++] = static_cast<unsigned char>(v >> 8);
        out[n++] = static_cast<unsigned char>(v);
    }

    // the unused bits are the low 4 of the second sextet (bits 12-15),
    // or the low 2 of the third (bits 6-7)
    if (rest == 2) {
        std::uint32_t v = bits(full, 0) | bits(full + 1, 1);
        if ((v & (kInvalid | 0xf000)) != 0) {
            return std::nullopt;
        }
        out[n++] = static_cast<unsigned char>(v >> 16);
    } else if (rest == 3) {
        std::uint32_t v = bits(full, 0) | bits(full + 1, 1) | bits(full + 2, 2);
        if ((v & (kInvalid | 0xc0)) != 0) {
            return std::nullopt;
        }
        out[n++] = static_cast<unsigned char>(v >> 16);
        out[n++] = static_cast<unsigned char>(v >> 8);
    }
    return n;
}

std::optional<std::string> decodeToString(std::string_view in,
                                          const DecodeTable &table)
{
    std::string out(base64UrlDecodedSize(in.size()), '\0');
    auto n = decodeUnpadded(in, table,
                            reinterpret_cast<unsigned char *>(out.data()),
                            out.size());
    if (!n) {
        return std::nullopt;
    }
    out.resize(*n);
    return out;
}

}  // namespace

std::optional<std::size_t> decodeBase64Url(std::string_view in,
                                           unsigned char *out,
                                           std::size_t outSize) noexcept
{
    return decodeUnpadded(in, kUrlTable, out, outSize);
}

std::optional<std::string> decodeBase64Url(std::string_view in)
{
    return decodeToString(in, kUrlTable);
}

std::optional<std::string> decodeBase64(std::string_view in)
{
    if (in.size() % 4 != 0) {
        return std::nullopt;
    }
    std::size_t pad = 0;
    while (pad < 2 && pad < in.size() && in[in.size() - 1 - pad] == '=') {
        pad++;
    }
    return decodeToString(in.substr(0, in.size() - pad), kStdTable);
}

std::string encodeBase64Url(std::string_view bytes)
{
    std::string out;
    out.reserve((bytes.size() * 4 + 2) / 3);
    std::uint32_t acc = 0;
    unsigned bits = 0;
    for (unsigned char c : bytes) {
        acc = (acc << 8) | c;
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out += kUrlAlphabet[(acc >> bits) & 0x3f];
        }
    }
    if (bits > 0) {
        out += kUrlAlphabet[(acc << (6 - bits)) & 0x3f];
    }
    return out;
}

int hexDigitValue(char c) noexcept
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

}  // namespace authjwt
