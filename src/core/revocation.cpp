#include "revocation.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include <openssl/err.h>

#include "json.hpp"
#include "json_scan.hpp"

namespace authjwt {

namespace {

// The table image: a header, then buckets + 1 offsets into the digests
// (bucket b holds digests[offsets[b] .. offsets[b + 1])), padded to 8
// bytes, then the sorted digests. The bucket of a digest is
// floor(digest * buckets / 2^64): monotonic in the digest, so the sorted
// digests are already grouped by bucket, and uniform, because SHA-256 is.
// Two entries per bucket on average keep a lookup to one short scan.
struct TableHeader {
    std::uint64_t magic;
    std::uint64_t count;
    std::uint64_t buckets;
    std::uint32_t fields;
    std::uint32_t reserved;
};

constexpr std::uint64_t kTableMagic = 0x31564552544a5741;  // "AJWTREV1"

constexpr RevokedField kFields[] = {RevokedField::Jti, RevokedField::Sub,
                                    RevokedField::Kid};

std::size_t fieldIndex(RevokedField field) noexcept
{
    switch (field) {
    case RevokedField::Jti:
        return 0;
    case RevokedField::Sub:
        return 1;
    case RevokedField::Kid:
        break;
    }
    return 2;
}

std::uint64_t bucketCount(std::uint64_t entries) noexcept
{
    return entries / 2 + 1;
}

std::size_t offsetsSize(std::uint64_t buckets) noexcept
{
    std::size_t bytes = (buckets + 1) * sizeof(std::uint32_t);
    return (bytes + 7) & ~std::size_t{7};
}

std::uint64_t bucketOf(std::uint64_t digest, std::uint64_t buckets) noexcept
{
    return static_cast<std::uint64_t>(
        (static_cast<unsigned __int128>(digest) * buckets) >> 64);
}

// ---------------------------------------------------------------------
// Parsing

// RFC 3629: well-formed UTF-8, without overlong forms, surrogates, or
// code points beyond U+10FFFF. A value in another encoding could never
// match a claim, which JSON carries as UTF-8: better refused than
// silently ineffective.
bool isUtf8(std::string_view text) noexcept
{
    const auto *p = reinterpret_cast<const unsigned char *>(text.data());
    const auto *end = p + text.size();

    while (p < end) {
        unsigned char c = *p++;
        if (c < 0x80) {
            continue;
        }

        std::size_t more;
        unsigned char lo = 0x80;
        unsigned char hi = 0xbf;

        if (c >= 0xc2 && c <= 0xdf) {
            more = 1;
        } else if (c >= 0xe0 && c <= 0xef) {
            more = 2;
            lo = c == 0xe0 ? 0xa0 : 0x80;
            hi = c == 0xed ? 0x9f : 0xbf;
        } else if (c >= 0xf0 && c <= 0xf4) {
            more = 3;
            lo = c == 0xf0 ? 0x90 : 0x80;
            hi = c == 0xf4 ? 0x8f : 0xbf;
        } else {
            return false;
        }

        if (static_cast<std::size_t>(end - p) < more || *p < lo || *p > hi) {
            return false;
        }
        p++;
        for (std::size_t i = 1; i < more; i++, p++) {
            if (*p < 0x80 || *p > 0xbf) {
                return false;
            }
        }
    }
    return true;
}

bool isBlank(char c) noexcept
{
    return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view s) noexcept
{
    while (!s.empty() && isBlank(s.front())) {
        s.remove_prefix(1);
    }
    while (!s.empty() && isBlank(s.back())) {
        s.remove_suffix(1);
    }
    return s;
}

std::optional<RevokedField> fieldNamed(std::string_view word) noexcept
{
    for (RevokedField field : kFields) {
        if (word == revokedFieldName(field)) {
            return field;
        }
    }
    return std::nullopt;
}

const char *controlCharacterIn(std::string_view value) noexcept
{
    for (char c : value) {
        auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) {
            return "a control character";
        }
    }
    return nullptr;
}

class Parser {
public:
    Parser(std::string_view name, RevocationHasher &hasher,
           RevocationList &out, std::string &error)
        : name_(name), hasher_(hasher), out_(out), error_(error)
    {
    }

    bool text(std::string_view text);
    bool json(std::string_view text);

private:
    bool line(std::string_view line, std::size_t number);
    bool jsonMember(const char *key, const json_t *values);
    bool add(RevokedField field, std::string_view value);
    bool fail(std::size_t line, const std::string &why);

    std::string_view name_;
    RevocationHasher &hasher_;
    RevocationList &out_;
    std::string &error_;
};

bool Parser::fail(std::size_t line, const std::string &why)
{
    error_ = std::string(name_);
    if (line != 0) {
        error_ += ':' + std::to_string(line);
    }
    error_ += ": " + why;
    return false;
}

bool Parser::add(RevokedField field, std::string_view value)
{
    std::optional<std::uint64_t> digest = hasher_.digest(field, value);
    if (!digest) {
        return fail(0, "SHA-256 failed");
    }
    out_.digests.push_back(*digest);
    out_.fields |= revokedBit(field);
    return true;
}

// "jti VALUE", "sub VALUE", "kid VALUE", or a bare VALUE (a jti). A bare
// value may not contain blanks, so that a misspelt field ("jit abc") is
// an error rather than a jti nobody will ever present.
bool Parser::line(std::string_view line, std::size_t number)
{
    if (!line.empty() && line.back() == '\r') {
        line.remove_suffix(1);
    }
    line = trim(line);
    if (line.empty() || line.front() == '#') {
        return true;
    }

    RevokedField field = RevokedField::Jti;
    std::string_view value = line;
    std::size_t blank = line.find_first_of(" \t");

    if (blank != std::string_view::npos) {
        std::string_view word = line.substr(0, blank);
        std::optional<RevokedField> named = fieldNamed(word);
        if (!named) {
            return fail(number, "unknown field \"" + std::string(word)
                                    + "\": a line is \"jti VALUE\", "
                                      "\"sub VALUE\", \"kid VALUE\" or a "
                                      "bare jti without blanks");
        }
        field = *named;
        value = trim(line.substr(blank));

    } else if (fieldNamed(line)) {
        return fail(number, "\"" + std::string(line) + "\" without a value");
    }

    if (const char *what = controlCharacterIn(value)) {
        return fail(number, std::string("the value contains ") + what);
    }
    if (!isUtf8(value)) {
        return fail(number, "the value is not valid UTF-8");
    }
    return add(field, value);
}

bool Parser::text(std::string_view text)
{
    out_.digests.reserve(static_cast<std::size_t>(
                             std::count(text.begin(), text.end(), '\n'))
                         + 1);

    std::size_t number = 1;
    while (!text.empty()) {
        std::size_t end = text.find('\n');
        if (!line(text.substr(0, end), number)) {
            return false;
        }
        if (end == std::string_view::npos) {
            break;
        }
        text.remove_prefix(end + 1);
        number++;
    }
    return true;
}

bool Parser::jsonMember(const char *key, const json_t *values)
{
    std::optional<RevokedField> field = fieldNamed(key);
    if (!field) {
        return fail(0, "unknown member \"" + std::string(key)
                           + "\": expected \"jti\", \"sub\" or \"kid\"");
    }
    if (!json_is_array(values)) {
        return fail(0, "\"" + std::string(key)
                           + "\" is not an array of strings");
    }

    out_.digests.reserve(out_.digests.size() + json_array_size(values));

    for (std::size_t i = 0; i < json_array_size(values); i++) {
        const json_t *value = json_array_get(values, i);
        std::string where = "\"" + std::string(key) + "\"["
                            + std::to_string(i) + "]";

        if (!json_is_string(value)) {
            return fail(0, where + " is not a string");
        }
        if (json_string_length(value) == 0) {
            return fail(0, where + " is empty");
        }
        if (!add(*field, std::string_view(json_string_value(value),
                                          json_string_length(value))))
        {
            return false;
        }
    }
    return true;
}

bool Parser::json(std::string_view text)
{
    // Jansson's parser recurses; a list is never deeper than two. A raw
    // NUL is refused for the reason Json::parse gives.
    if (jsonNestingDepth(text) > 2) {
        return fail(0, "a JSON list is an object of arrays of strings, "
                       "nested no deeper");
    }
    if (text.find('\0') != std::string_view::npos) {
        return fail(0, "invalid JSON: a NUL byte");
    }

    json_error_t error;
    Json doc(json_loadb(text.data(), text.size(), JSON_REJECT_DUPLICATES,
                        &error));
    if (!doc) {
        return fail(error.line > 0 ? static_cast<std::size_t>(error.line)
                                   : 0,
                    std::string("invalid JSON: ") + error.text);
    }
    if (!json_is_object(doc.get())) {
        return fail(0, "a JSON list must be an object with \"jti\", "
                       "\"sub\" or \"kid\" arrays");
    }

    const char *key;
    json_t *values;
    json_object_foreach(doc.get(), key, values) {
        if (!jsonMember(key, values)) {
            return false;
        }
    }
    return true;
}

// A UTF-8 byte order mark says nothing about the entries.
std::string_view withoutBom(std::string_view text) noexcept
{
    constexpr std::string_view bom = "\xef\xbb\xbf";
    if (text.substr(0, bom.size()) == bom) {
        text.remove_prefix(bom.size());
    }
    return text;
}

bool startsWithBrace(std::string_view text) noexcept
{
    std::size_t first = text.find_first_not_of(" \t\r\n");
    return first != std::string_view::npos && text[first] == '{';
}

// The value a payload claim is listed by, in buffer if it must be made.
std::optional<std::string_view> claimValue(const json_t *claim, char *buffer,
                                           std::size_t size) noexcept
{
    if (json_is_string(claim)) {
        return std::string_view(json_string_value(claim),
                                json_string_length(claim));
    }
    if (json_is_integer(claim)) {
        int n = std::snprintf(buffer, size, "%" JSON_INTEGER_FORMAT,
                              json_integer_value(claim));
        if (n > 0 && static_cast<std::size_t>(n) < size) {
            return std::string_view(buffer, static_cast<std::size_t>(n));
        }
    }
    return std::nullopt;
}

// A top-level string or integer member of a payload, as claimValue would
// give it from the tree.
struct PayloadValue {
    bool present = false;
    std::string_view text;
    // holds text when it had to be unescaped
    std::string decoded;
};

// Reads "jti" and "sub" from a checked payload text with the request
// path's scanner, without building a Jansson tree: the check of every
// request against a list of jti or sub values must not cost a parse.
// fuzz/fuzz_revocation.cpp holds it to the tree's answers.
class RevokedClaims final : public JsonMemberSink {
public:
    PayloadValue values[2];  // by fieldIndex: jti, sub
    bool failed = false;

    void member(const JsonString &name, const JsonValue &value) noexcept
        override
    {
        PayloadValue *target = name.equals("jti")   ? &values[0]
                               : name.equals("sub") ? &values[1]
                                                    : nullptr;
        if (target == nullptr) {
            return;
        }

        if (value.kind == JsonValue::Kind::String) {
            read(value.string, *target);

        } else if (value.kind == JsonValue::Kind::Number && value.integer) {
            // an integer is listed by its decimal text, which JSON already
            // is, but for "-0"
            target->present = true;
            target->text = value.numberText == "-0" ? std::string_view("0")
                                                    : value.numberText;
        }
    }

private:
    void read(const JsonString &string, PayloadValue &out) noexcept
    {
        if (!string.escaped()) {
            out.present = true;
            out.text = string.raw();
            return;
        }

        try {
            out.decoded.resize(string.raw().size());
            out.decoded.resize(string.unescape(out.decoded.data()));
            out.text = out.decoded;
            out.present = true;

        } catch (...) {
            failed = true;
        }
    }
};

}  // namespace

const char *revokedFieldName(RevokedField field) noexcept
{
    switch (field) {
    case RevokedField::Jti:
        return "jti";
    case RevokedField::Sub:
        return "sub";
    case RevokedField::Kid:
        break;
    }
    return "kid";
}

RevocationHasher::RevocationHasher() noexcept
    : md_(EVP_MD_fetch(nullptr, "SHA256", nullptr)), ctx_(EVP_MD_CTX_new())
{
    ERR_clear_error();
}

std::optional<std::uint64_t> RevocationHasher::digest(
    RevokedField field, std::string_view value) noexcept
{
    // The field's name and a NUL first: "sub alice" and "jti alice" are
    // different entries.
    const char *name = revokedFieldName(field);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int size = 0;

    if (md_ == nullptr || ctx_ == nullptr
        || EVP_DigestInit_ex2(ctx_.get(), md_.get(), nullptr) != 1
        || EVP_DigestUpdate(ctx_.get(), name, std::strlen(name) + 1) != 1
        || EVP_DigestUpdate(ctx_.get(), value.data(), value.size()) != 1
        || EVP_DigestFinal_ex(ctx_.get(), md, &size) != 1 || size < 8)
    {
        ERR_clear_error();
        return std::nullopt;
    }

    std::uint64_t digest = 0;
    for (std::size_t i = 0; i < 8; i++) {
        digest = (digest << 8) | md[i];
    }
    return digest;
}

bool parseRevocationList(std::string_view text, std::string_view name,
                         RevocationHasher &hasher, RevocationList &out,
                         std::string &error)
{
    out = RevocationList();
    text = withoutBom(text);

    Parser parser(name, hasher, out, error);
    if (!(startsWithBrace(text) ? parser.json(text) : parser.text(text))) {
        out = RevocationList();
        return false;
    }

    std::sort(out.digests.begin(), out.digests.end());
    out.digests.erase(std::unique(out.digests.begin(), out.digests.end()),
                      out.digests.end());
    out.digests.shrink_to_fit();
    return true;
}

std::size_t revocationTableSize(std::size_t entries) noexcept
{
    return sizeof(TableHeader) + offsetsSize(bucketCount(entries))
           + entries * sizeof(std::uint64_t);
}

bool writeRevocationTable(const RevocationList &list, void *out,
                          std::size_t size) noexcept
{
    std::uint64_t count = list.digests.size();
    std::uint64_t buckets = bucketCount(count);

    if (count > UINT32_MAX || size < revocationTableSize(count)
        || reinterpret_cast<std::uintptr_t>(out) % 8 != 0)
    {
        return false;
    }

    auto *header = static_cast<TableHeader *>(out);
    auto *offsets = reinterpret_cast<std::uint32_t *>(header + 1);
    auto *digests = reinterpret_cast<std::uint64_t *>(
        reinterpret_cast<unsigned char *>(offsets) + offsetsSize(buckets));

    header->magic = kTableMagic;
    header->count = count;
    header->buckets = buckets;
    header->fields = list.fields;
    header->reserved = 0;

    std::uint64_t i = 0;
    for (std::uint64_t b = 0; b <= buckets; b++) {
        while (i < count && bucketOf(list.digests[i], buckets) < b) {
            i++;
        }
        offsets[b] = static_cast<std::uint32_t>(i);
    }
    offsets[buckets] = static_cast<std::uint32_t>(count);

    if (count != 0) {
        std::memcpy(digests, list.digests.data(),
                    count * sizeof(std::uint64_t));
    }
    return true;
}

RevocationTable::RevocationTable(const void *image, std::size_t size) noexcept
{
    if (image == nullptr || size < sizeof(TableHeader)
        || reinterpret_cast<std::uintptr_t>(image) % 8 != 0)
    {
        return;
    }

    const auto *header = static_cast<const TableHeader *>(image);
    if (header->magic != kTableMagic || header->count > UINT32_MAX
        || header->buckets != bucketCount(header->count)
        || header->fields > kAllRevokedFields
        || size < revocationTableSize(header->count))
    {
        return;
    }

    offsets_ = reinterpret_cast<const std::uint32_t *>(header + 1);
    if (offsets_[header->buckets] != header->count) {
        offsets_ = nullptr;
        return;
    }

    digests_ = reinterpret_cast<const std::uint64_t *>(
        reinterpret_cast<const unsigned char *>(offsets_)
        + offsetsSize(header->buckets));
    count_ = header->count;
    buckets_ = header->buckets;
    fields_ = header->fields;
}

bool RevocationTable::contains(std::uint64_t digest) const noexcept
{
    if (digests_ == nullptr) {
        return false;
    }

    std::uint64_t b = bucketOf(digest, buckets_);
    // bounded by count_ as well, so that no offset leads outside the image
    std::uint64_t end = std::min<std::uint64_t>(offsets_[b + 1], count_);

    for (std::uint64_t i = offsets_[b]; i < end; i++) {
        if (digests_[i] >= digest) {
            return digests_[i] == digest;
        }
    }
    return false;
}

bool RevocationTable::revokes(const RevocationKeys &keys) const noexcept
{
    for (RevokedField field : kFields) {
        if ((keys.present & fields_ & revokedBit(field)) != 0
            && contains(keys.digests[fieldIndex(field)]))
        {
            return true;
        }
    }
    return false;
}

Status revocationKeys(VerifiedToken &verified, unsigned fields,
                      RevocationHasher &hasher, RevocationKeys &keys) noexcept
{
    // a token accepted from the cache has no kid or payload text yet
    if (!parseCachedToken(verified)) {
        return Status::InternalError;
    }

    RevokedClaims walked;
    bool haveWalked = false;

    for (RevokedField field : kFields) {
        unsigned bit = revokedBit(field);
        if ((fields & bit) == 0 || (keys.looked & bit) != 0) {
            continue;
        }
        keys.looked |= bit;

        char buffer[32];
        std::optional<std::string_view> value;

        if (field == RevokedField::Kid) {
            value = verified.token.kid;

        } else if (verified.payload) {
            // a rule or a variable has built the tree already
            value = claimValue(json_object_get(verified.payload.get(),
                                               revokedFieldName(field)),
                               buffer, sizeof(buffer));

        } else {
            if (!haveWalked) {
                try {
                    if (!scanJsonObject(verified.token.payloadText, walked)
                        || walked.failed)
                    {
                        return Status::InternalError;
                    }
                } catch (...) {
                    return Status::InternalError;
                }
                haveWalked = true;
            }
            const PayloadValue &v = walked.values[fieldIndex(field)];
            if (v.present) {
                value = v.text;
            }
        }

        if (!value) {
            continue;
        }

        std::optional<std::uint64_t> digest = hasher.digest(field, *value);
        if (!digest) {
            return Status::InternalError;
        }
        keys.digests[fieldIndex(field)] = *digest;
        keys.present |= bit;
    }
    return Status::Ok;
}

Status checkRevocation(const RevocationTable &table,
                       RevocationHasher &hasher,
                       VerifiedToken &verified) noexcept
{
    if (!table.valid()) {
        return Status::InternalError;
    }

    RevocationKeys keys;
    Status status = revocationKeys(verified, table.fields(), hasher, keys);
    if (status != Status::Ok) {
        return status;
    }
    return table.revokes(keys) ? Status::Revoked : Status::Ok;
}

}  // namespace authjwt
