#include "payload_scan.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <new>
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

void appendUtf8(std::string &out, unsigned long cp)
{
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xc0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xe0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
        out += static_cast<char>(0xf0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    }
}

class Scanner {
public:
    Scanner(std::string_view text, TimeClaims &times)
        : p_(text.data()), end_(text.data() + text.size()), times_(times)
    {
    }

    bool payload()
    {
        skipSpace();
        if (!object()) {
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

    // \uXXXX (or a surrogate pair) at p_, after the "\u".
    bool unicodeEscape(std::string *decoded)
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
            cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
        }
        if (decoded != nullptr) {
            appendUtf8(*decoded, cp);
        }
        return true;
    }

    bool escape(std::string *decoded)
    {
        if (p_ == end_) {
            return false;
        }
        char c = *p_++;
        char value;
        switch (c) {
        case '"':
        case '\\':
        case '/':
            value = c;
            break;
        case 'b':
            value = '\b';
            break;
        case 'f':
            value = '\f';
            break;
        case 'n':
            value = '\n';
            break;
        case 'r':
            value = '\r';
            break;
        case 't':
            value = '\t';
            break;
        case 'u':
            return unicodeEscape(decoded);
        default:
            return false;
        }
        if (decoded != nullptr) {
            *decoded += value;
        }
        return true;
    }

    // A string at p_ (the opening quote); decoded is filled when given.
    bool string(std::string *decoded)
    {
        if (!expect('"')) {
            return false;
        }
        while (p_ < end_) {
            auto c = static_cast<unsigned char>(*p_);
            if (c == '"') {
                p_++;
                return true;
            }
            if (c < 0x20) {
                return false;
            }
            if (c == '\\') {
                p_++;
                if (!escape(decoded)) {
                    return false;
                }
                continue;
            }
            const char *start = p_;
            if (c < 0x80) {
                p_++;
            } else if (!utf8()) {
                return false;
            }
            if (decoded != nullptr) {
                decoded->append(start, static_cast<std::size_t>(p_ - start));
            }
        }
        return false;
    }

    // RFC 8259 6, with Jansson's ranges: an integer must fit 64 bits, a
    // real must not overflow (underflow is fine).
    bool number(TimeClaim *target)
    {
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

        // strtoll and strtod need a terminated copy: on the stack for any
        // ordinary number, on the heap only for absurdly long ones
        std::size_t length = static_cast<std::size_t>(p_ - start);
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

        double value;
        errno = 0;
        if (integer) {
            long long n = std::strtoll(text, nullptr, 10);
            if (errno == ERANGE) {
                return false;
            }
            value = static_cast<double>(n);
        } else {
            value = std::strtod(text, nullptr);
            if (errno == ERANGE && std::isinf(value)) {
                return false;
            }
        }
        if (target != nullptr) {
            target->presence = TimeClaim::Presence::Number;
            target->value = value;
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

    // A value; target, when given, is the time claim it is the value of.
    bool value(TimeClaim *target)
    {
        if (p_ == end_) {
            return false;
        }
        if (target != nullptr) {
            target->presence = TimeClaim::Presence::NotNumber;
        }
        switch (*p_) {
        case '{':
            return object();
        case '[':
            return array();
        case '"':
            return string(nullptr);
        case 't':
            return literal("true");
        case 'f':
            return literal("false");
        case 'n':
            return literal("null");
        default:
            return number(target);
        }
    }

    bool enter() noexcept
    {
        return ++depth_ <= kMaxJsonDepth;
    }

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
        while (true) {
            skipSpace();
            if (!value(nullptr)) {
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

    TimeClaim *timeClaimFor(const std::string &name) noexcept
    {
        if (depth_ != 1) {
            return nullptr;
        }
        if (name == "exp") {
            return &times_.exp;
        }
        if (name == "nbf") {
            return &times_.nbf;
        }
        if (name == "iat") {
            return &times_.iat;
        }
        return nullptr;
    }

    // Names are compared once the object ends: sorted, a duplicate sits
    // next to its twin, in O(n log n) whatever the payload holds.
    static bool allDistinct(std::vector<std::string> &names)
    {
        std::sort(names.begin(), names.end());
        return std::adjacent_find(names.begin(), names.end())
               == names.end();
    }

    bool object()
    {
        if (!expect('{') || !enter()) {
            return false;
        }
        std::vector<std::string> names;
        skipSpace();
        if (expect('}')) {
            depth_--;
            return true;
        }
        while (true) {
            skipSpace();
            std::string name;
            if (!string(&name)) {
                return false;
            }
            skipSpace();
            if (!expect(':')) {
                return false;
            }
            skipSpace();
            if (!value(timeClaimFor(name))) {
                return false;
            }
            names.push_back(std::move(name));
            skipSpace();
            if (expect('}')) {
                depth_--;
                return allDistinct(names);
            }
            if (!expect(',')) {
                return false;
            }
        }
    }

    const char *p_;
    const char *end_;
    TimeClaims &times_;
    std::size_t depth_ = 0;
};

}  // namespace

Status scanPayload(std::string_view text, TimeClaims &times) noexcept
{
    times = TimeClaims();
    try {
        Scanner scanner(text, times);
        return scanner.payload() ? Status::Ok : Status::BadPayload;
    } catch (const std::bad_alloc &) {
        return Status::InternalError;
    }
}

}  // namespace authjwt
