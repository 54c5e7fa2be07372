#include "json.hpp"

#include <cstdio>

namespace authjwt {

std::size_t jsonNestingDepth(std::string_view text) noexcept
{
    std::size_t depth = 0;
    std::size_t deepest = 0;
    bool inString = false;
    bool escaped = false;
    for (char c : text) {
        if (inString) {
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '"') {
                inString = false;
            }
            continue;
        }
        switch (c) {
        case '"':
            inString = true;
            break;
        case '{':
        case '[':
            depth++;
            if (depth > deepest) {
                deepest = depth;
            }
            break;
        case '}':
        case ']':
            if (depth > 0) {
                depth--;
            }
            break;
        default:
            break;
        }
    }
    return deepest;
}

Json Json::parse(std::string_view text, std::size_t maxDepth) noexcept
{
    // A raw NUL is never JSON, but Jansson drops one that follows a number
    // or a literal: refuse it here, so no parser sees two documents.
    if (jsonNestingDepth(text) > maxDepth
        || text.find('\0') != std::string_view::npos)
    {
        return Json();
    }
    json_error_t error;
    return Json(json_loadb(text.data(), text.size(), JSON_REJECT_DUPLICATES,
                           &error));
}

bool jsonStringMember(const json_t *object, const char *name,
                      std::string_view &out) noexcept
{
    const json_t *value = json_object_get(object, name);
    if (!json_is_string(value)) {
        return false;
    }
    out = std::string_view(json_string_value(value), json_string_length(value));
    return true;
}

namespace {

bool equalsIgnoringCase(std::string_view a, std::string_view b) noexcept
{
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); i++) {
        char x = a[i];
        char y = b[i];
        if (x >= 'A' && x <= 'Z') {
            x = static_cast<char>(x - 'A' + 'a');
        }
        if (y >= 'A' && y <= 'Z') {
            y = static_cast<char>(y - 'A' + 'a');
        }
        if (x != y) {
            return false;
        }
    }
    return true;
}

}  // namespace

const json_t *jsonMemberIgnoringCase(const json_t *object,
                                     std::string_view name) noexcept
{
    const json_t *found = nullptr;
    const char *key;
    json_t *value;
    // json_object_foreach is not const-correct.
    json_object_foreach(const_cast<json_t *>(object), key, value) {
        if (equalsIgnoringCase(key, name)) {
            if (found != nullptr) {
                return nullptr;
            }
            found = value;
        }
    }
    return found;
}

namespace {

// Appends s with every control character (and DEL) replaced by \u00XX.
void appendEscapingControls(std::string &out, std::string_view s)
{
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof(buf), "\\u%04x", u);
            out += buf;
        } else {
            out += c;
        }
    }
}

// Jansson's compact serialization. Jansson escapes control characters in
// strings but writes DEL (0x7f) raw; in JSON text DEL can only stand inside
// a string, so escaping it there keeps the text valid.
std::string dumpCompact(const json_t *value)
{
    std::size_t flags = JSON_COMPACT | JSON_ENCODE_ANY;
    std::size_t size = json_dumpb(value, nullptr, 0, flags);
    std::string raw(size, '\0');
    if (size != 0) {
        json_dumpb(value, raw.data(), size, flags);
    }
    if (raw.find('\x7f') == std::string::npos) {
        return raw;
    }
    std::string out;
    appendEscapingControls(out, raw);
    return out;
}

void appendScalarText(std::string &out, const json_t *value)
{
    if (json_is_string(value)) {
        appendEscapingControls(
            out, std::string_view(json_string_value(value),
                                  json_string_length(value)));
    } else {
        out += dumpCompact(value);
    }
}

}  // namespace

std::string jsonValueText(const json_t *value)
{
    std::string out;
    if (json_is_array(value)) {
        std::size_t i;
        json_t *item;
        json_array_foreach(value, i, item) {
            if (i != 0) {
                out += ',';
            }
            appendScalarText(out, item);
        }
        return out;
    }
    appendScalarText(out, value);
    return out;
}

std::string jsonCompactText(const json_t *value)
{
    return dumpCompact(value);
}

}  // namespace authjwt

