#include "json_scan.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "base64url.hpp"
#include "json.hpp"

namespace authjwt {

namespace {

bool isDigit(char c) noexcept
{
    return c >= '0' && c <= '9';
}

// Bytes a string holds as they are, with nothing to check: printable
// ASCII but the quote and the backslash. A table, because the scanner
// spends most of its time walking such runs.
struct PlainTable {
    bool plain[256] = {};

    constexpr PlainTable() noexcept
    {
        for (int c = 0x20; c < 0x80; c++) {
            plain[c] = c != '"' && c != '\\';
        }
    }
};

constexpr PlainTable kPlain;

bool isPlain(char c) noexcept
{
    return kPlain.plain[static_cast<unsigned char>(c)];
}

// Four hex digits the scanner has already checked.
unsigned long checkedHex4(const char *p) noexcept
{
    unsigned long value = 0;
    for (int i = 0; i < 4; i++) {
        value = (value << 4) | static_cast<unsigned long>(hexDigitValue(p[i]));
    }
    return value;
}

// Encodes cp as UTF-8 into out (4 bytes); returns the length.
int encodeUtf8(unsigned long cp, unsigned char *out) noexcept
{
    if (cp < 0x80) {
        out[0] = static_cast<unsigned char>(cp);
        return 1;
    }
    if (cp < 0x800) {
        out[0] = static_cast<unsigned char>(0xc0 | (cp >> 6));
        out[1] = static_cast<unsigned char>(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = static_cast<unsigned char>(0xe0 | (cp >> 12));
        out[1] = static_cast<unsigned char>(0x80 | ((cp >> 6) & 0x3f));
        out[2] = static_cast<unsigned char>(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = static_cast<unsigned char>(0xf0 | (cp >> 18));
    out[1] = static_cast<unsigned char>(0x80 | ((cp >> 12) & 0x3f));
    out[2] = static_cast<unsigned char>(0x80 | ((cp >> 6) & 0x3f));
    out[3] = static_cast<unsigned char>(0x80 | (cp & 0x3f));
    return 4;
}

// The value of a checked string, one byte at a time, so that names can be
// compared through their escapes without a copy.
class Unescaper {
public:
    explicit Unescaper(std::string_view raw) noexcept
        : p_(raw.data()), end_(raw.data() + raw.size())
    {
    }

    bool done() const noexcept { return next_ == size_ && p_ == end_; }

    // The next byte; only when !done().
    unsigned char next() noexcept
    {
        if (next_ < size_) {
            return pending_[next_++];
        }
        char c = *p_++;
        if (c != '\\') {
            return static_cast<unsigned char>(c);
        }
        switch (*p_++) {
        case 'b':
            return '\b';
        case 'f':
            return '\f';
        case 'n':
            return '\n';
        case 'r':
            return '\r';
        case 't':
            return '\t';
        case 'u':
            return unicode();
        default:
            // '"', '\\' and '/' stand for themselves
            return static_cast<unsigned char>(p_[-1]);
        }
    }

private:
    // After "\u": the code point, or a surrogate pair's, as UTF-8.
    unsigned char unicode() noexcept
    {
        unsigned long cp = checkedHex4(p_);
        p_ += 4;
        if (cp >= 0xd800 && cp <= 0xdbff) {
            unsigned long low = checkedHex4(p_ + 2);
            p_ += 6;
            cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
        }
        size_ = encodeUtf8(cp, pending_);
        next_ = 1;
        return pending_[0];
    }

    const char *p_;
    const char *end_;
    unsigned char pending_[4] = {};
    int size_ = 0;
    int next_ = 0;
};

}  // namespace

bool JsonString::equalsEscaped(std::string_view text) const noexcept
{
    Unescaper value(raw_);
    for (char c : text) {
        if (value.done() || value.next() != static_cast<unsigned char>(c)) {
            return false;
        }
    }
    return value.done();
}

int JsonString::compare(const JsonString &other) const noexcept
{
    if (!escaped_ && !other.escaped_) {
        return raw_.compare(other.raw_);
    }
    Unescaper a(raw_);
    Unescaper b(other.raw_);
    while (!a.done() && !b.done()) {
        unsigned char x = a.next();
        unsigned char y = b.next();
        if (x != y) {
            return x < y ? -1 : 1;
        }
    }
    return a.done() ? (b.done() ? 0 : -1) : 1;
}

std::size_t JsonString::size() const noexcept
{
    if (!escaped_) {
        return raw_.size();
    }
    Unescaper value(raw_);
    std::size_t n = 0;
    while (!value.done()) {
        value.next();
        n++;
    }
    return n;
}

std::size_t JsonString::unescape(char *out) const noexcept
{
    if (!escaped_) {
        std::memcpy(out, raw_.data(), raw_.size());
        return raw_.size();
    }
    Unescaper value(raw_);
    std::size_t n = 0;
    while (!value.done()) {
        out[n++] = static_cast<char>(value.next());
    }
    return n;
}

namespace {

// A member name as the duplicate check keeps it, with the length of its
// value, which settles most comparisons before any byte is looked at.
// Trivial, so that the scanner's inline array costs nothing to set up.
struct Name {
    const char *raw;
    std::size_t rawSize;
    std::size_t size;
    bool escaped;

    static Name of(const JsonString &s) noexcept
    {
        return {s.raw().data(), s.raw().size(), s.size(), s.escaped()};
    }

    JsonString string() const noexcept
    {
        return JsonString(std::string_view(raw, rawSize), escaped);
    }
};

bool operator<(const Name &a, const Name &b) noexcept
{
    if (a.size != b.size) {
        return a.size < b.size;
    }
    return a.string().compare(b.string()) < 0;
}

bool operator==(const Name &a, const Name &b) noexcept
{
    return a.size == b.size && a.string().compare(b.string()) == 0;
}

// The names of the objects being scanned, innermost last, so duplicates
// can be found when each object closes: on the stack for any ordinary
// document, on the heap beyond that.
class NameStack {
public:
    std::size_t size() const noexcept { return size_; }

    Name *data() noexcept
    {
        return onHeap_ ? heap_.data() : inline_;
    }

    void push(const Name &name)
    {
        if (!onHeap_ && size_ < kInline) {
            inline_[size_++] = name;
            return;
        }
        if (!onHeap_) {
            heap_.assign(inline_, inline_ + size_);
            onHeap_ = true;
        }
        heap_.push_back(name);
        size_++;
    }

    void truncate(std::size_t size) noexcept
    {
        size_ = size;
        if (onHeap_) {
            heap_.resize(size);
        }
    }

private:
    static constexpr std::size_t kInline = 64;

    Name inline_[kInline];
    std::vector<Name> heap_;
    std::size_t size_ = 0;
    bool onHeap_ = false;
};

class Scanner {
public:
    Scanner(std::string_view text, JsonMemberSink &sink) noexcept
        : p_(text.data()), end_(text.data() + text.size()), sink_(sink)
    {
    }

    bool document()
    {
        skipSpace();
        if (p_ == end_ || *p_ != '{' || !object()) {
            return false;
        }
        skipSpace();
        return p_ == end_;
    }

private:
    void skipSpace() noexcept
    {
        while (p_ < end_
               && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r'))
        {
            p_++;
        }
    }

    bool expect(char c) noexcept
    {
        if (p_ < end_ && *p_ == c) {
            p_++;
            return true;
        }
        return false;
    }

    // One UTF-8 sequence starting at p_, as Jansson validates it: no
    // overlong forms, no surrogates, nothing above U+10FFFF.
    bool utf8() noexcept
    {
        auto first = static_cast<unsigned char>(*p_);
        std::size_t length;
        unsigned long cp;
        if (first >= 0xc2 && first <= 0xdf) {
            length = 2;
            cp = first & 0x1f;
        } else if (first >= 0xe0 && first <= 0xef) {
            length = 3;
            cp = first & 0x0f;
        } else if (first >= 0xf0 && first <= 0xf4) {
            length = 4;
            cp = first & 0x07;
        } else {
            return false;
        }
        if (static_cast<std::size_t>(end_ - p_) < length) {
            return false;
        }
        for (std::size_t i = 1; i < length; i++) {
            auto c = static_cast<unsigned char>(p_[i]);
            if ((c & 0xc0) != 0x80) {
                return false;
            }
            cp = (cp << 6) | (c & 0x3f);
        }
        if ((length == 3 && cp < 0x800) || (length == 4 && cp < 0x10000)
            || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        {
            return false;
        }
        p_ += length;
        return true;
    }

    bool hex4(unsigned long &value) noexcept
    {
        if (end_ - p_ < 4) {
            return false;
        }
        value = 0;
        for (int i = 0; i < 4; i++) {
            int digit = hexDigitValue(p_[i]);
            if (digit < 0) {
                return false;
            }
            value = (value << 4) | static_cast<unsigned long>(digit);
        }
        p_ += 4;
        return true;
    }

    // \uXXXX (or a surrogate pair) at p_, after the "\u"; \u0000 is
    // refused as Json::parse refuses it.
    bool unicodeEscape() noexcept
    {
        unsigned long cp;
        if (!hex4(cp) || cp == 0 || (cp >= 0xdc00 && cp <= 0xdfff)) {
            return false;
        }
        if (cp >= 0xd800 && cp <= 0xdbff) {
            unsigned long low;
            if (!expect('\\') || !expect('u') || !hex4(low) || low < 0xdc00
                || low > 0xdfff)
            {
                return false;
            }
        }
        return true;
    }

    bool escape() noexcept
    {
        if (p_ == end_) {
            return false;
        }
        switch (*p_++) {
        case '"':
        case '\\':
        case '/':
        case 'b':
        case 'f':
        case 'n':
        case 'r':
        case 't':
            return true;
        case 'u':
            return unicodeEscape();
        default:
            return false;
        }
    }

    // A string at p_ (the opening quote).
    bool string(JsonString &out) noexcept
    {
        if (!expect('"')) {
            return false;
        }
        const char *start = p_;
        bool escaped = false;
        while (true) {
            while (p_ < end_ && isPlain(*p_)) {
                p_++;
            }
            if (p_ == end_) {
                return false;
            }
            // the end, an escape, a control character or UTF-8
            auto c = static_cast<unsigned char>(*p_);
            if (c == '"') {
                out = JsonString(
                    std::string_view(start,
                                     static_cast<std::size_t>(p_ - start)),
                    escaped);
                p_++;
                return true;
            }
            if (c == '\\') {
                p_++;
                escaped = true;
                if (!escape()) {
                    return false;
                }
            } else if (c < 0x20 || !utf8()) {
                return false;
            }
        }
    }

    // Up to 18 characters, sign included, an integer fits 64 bits
    // whatever its digits: no range check needed.
    static constexpr std::size_t kSafeDigits = 18;

    // The integer in [start, end), checked and short enough.
    static long long smallInteger(const char *start, const char *end) noexcept
    {
        bool negative = *start == '-';
        long long n = 0;
        for (const char *p = negative ? start + 1 : start; p < end; p++) {
            n = n * 10 + (*p - '0');
        }
        return negative ? -n : n;
    }

    // RFC 8259 6, with Jansson's ranges: an integer must fit 64 bits, a
    // real must not overflow (underflow is fine).
    bool number(JsonValue &value)
    {
        double &out = value.number;
        const char *start = p_;
        bool integer = true;
        expect('-');
        if (p_ == end_ || !isDigit(*p_)) {
            return false;
        }
        if (*p_ == '0') {
            p_++;
            if (p_ < end_ && isDigit(*p_)) {
                return false;
            }
        } else {
            while (p_ < end_ && isDigit(*p_)) {
                p_++;
            }
        }
        if (p_ < end_ && *p_ == '.') {
            integer = false;
            p_++;
            if (p_ == end_ || !isDigit(*p_)) {
                return false;
            }
            while (p_ < end_ && isDigit(*p_)) {
                p_++;
            }
        }
        if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
            integer = false;
            p_++;
            if (p_ < end_ && (*p_ == '+' || *p_ == '-')) {
                p_++;
            }
            if (p_ == end_ || !isDigit(*p_)) {
                return false;
            }
            while (p_ < end_ && isDigit(*p_)) {
                p_++;
            }
        }

        std::size_t length = static_cast<std::size_t>(p_ - start);
        value.numberText = std::string_view(start, length);
        value.integer = integer;
        if (integer && length <= kSafeDigits) {
            out = static_cast<double>(smallInteger(start, p_));
            return true;
        }

        // strtoll and strtod need a terminated copy: on the stack for any
        // ordinary number, on the heap only for absurdly long ones
        char small[64];
        std::string large;
        const char *text = small;
        if (length < sizeof(small)) {
            std::copy(start, p_, small);
            small[length] = '\0';
        } else {
            large.assign(start, length);
            text = large.c_str();
        }

        errno = 0;
        if (integer) {
            long long n = std::strtoll(text, nullptr, 10);
            if (errno == ERANGE) {
                return false;
            }
            out = static_cast<double>(n);
        } else {
            out = std::strtod(text, nullptr);
            if (errno == ERANGE && std::isinf(out)) {
                return false;
            }
        }
        return true;
    }

    bool literal(std::string_view word) noexcept
    {
        if (static_cast<std::size_t>(end_ - p_) < word.size()
            || std::string_view(p_, word.size()) != word)
        {
            return false;
        }
        p_ += word.size();
        return true;
    }

    bool value(JsonValue &out)
    {
        if (p_ == end_) {
            return false;
        }
        switch (*p_) {
        case '{':
            out.kind = JsonValue::Kind::Object;
            return object();
        case '[':
            out.kind = JsonValue::Kind::Array;
            return array();
        case '"':
            out.kind = JsonValue::Kind::String;
            return string(out.string);
        case 't':
            out.kind = JsonValue::Kind::Literal;
            return literal("true");
        case 'f':
            out.kind = JsonValue::Kind::Literal;
            return literal("false");
        case 'n':
            out.kind = JsonValue::Kind::Literal;
            return literal("null");
        default:
            out.kind = JsonValue::Kind::Number;
            return number(out);
        }
    }

    bool enter() noexcept
    {
        return ++depth_ <= kMaxJsonDepth;
    }

    // After the '['.
    bool array()
    {
        p_++;
        if (!enter()) {
            return false;
        }
        skipSpace();
        if (expect(']')) {
            depth_--;
            return true;
        }
        JsonValue item;
        while (true) {
            skipSpace();
            if (!value(item)) {
                return false;
            }
            skipSpace();
            if (expect(']')) {
                depth_--;
                return true;
            }
            if (!expect(',')) {
                return false;
            }
        }
    }

    // Names are compared once their object ends: sorted, a duplicate sits
    // next to its twin, in O(n log n) whatever the document holds.
    bool namesDistinctFrom(std::size_t first) noexcept
    {
        Name *begin = names_.data() + first;
        Name *end = names_.data() + names_.size();
        std::sort(begin, end);
        bool distinct = std::adjacent_find(begin, end) == end;
        names_.truncate(first);
        return distinct;
    }

    // After the '{'.
    bool object()
    {
        p_++;
        if (!enter()) {
            return false;
        }
        bool topLevel = depth_ == 1;
        std::size_t first = names_.size();
        skipSpace();
        if (expect('}')) {
            depth_--;
            return true;
        }
        JsonValue member;
        while (true) {
            skipSpace();
            JsonString name;
            if (!string(name)) {
                return false;
            }
            skipSpace();
            if (!expect(':')) {
                return false;
            }
            skipSpace();
            if (!value(member)) {
                return false;
            }
            names_.push(Name::of(name));
            if (topLevel) {
                sink_.member(name, member);
            }
            skipSpace();
            if (expect('}')) {
                depth_--;
                return namesDistinctFrom(first);
            }
            if (!expect(',')) {
                return false;
            }
        }
    }

    const char *p_;
    const char *end_;
    JsonMemberSink &sink_;
    std::size_t depth_ = 0;
    NameStack names_;
};

}  // namespace

bool scanJsonObject(std::string_view text, JsonMemberSink &sink)
{
    Scanner scanner(text, sink);
    return scanner.document();
}

}  // namespace authjwt
