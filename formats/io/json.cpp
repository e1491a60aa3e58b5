#include "formats/io/json.hpp"

#include "formats/io/error.hpp"

#include <charconv>
#include <cmath>

namespace ddr {

namespace {

[[noreturn]] void wrong_type(std::string_view what, const char* wanted)
{
    fail(ErrorKind::Unreadable, std::string(what) + " is not " + wanted);
}

const Json::Array kNoItems;
const Json::Object kNoMembers;

void indent_line(std::string& out, int indent, int depth)
{
    out += '\n';
    out.append(size_t(indent) * size_t(depth), ' ');
}

} // namespace

Json::Type Json::type() const
{
    switch (value_.index()) {
    case 0: return Type::Null;
    case 1: return Type::Bool;
    case 2:
    case 3: return Type::Integer;
    case 4: return Type::Real;
    case 5: return Type::String;
    case 6: return Type::Array;
    default: return Type::Object;
    }
}

Json& Json::operator[](std::string_view key)
{
    if (is_null())
        value_ = Object{};
    auto* obj = std::get_if<Object>(&value_);
    if (!obj)
        fail(ErrorKind::Internal, "JSON: member \"" + std::string(key) + "\" set on a value that is not an object");
    for (auto& [k, v] : *obj)
        if (k == key)
            return v;
    obj->emplace_back(std::string(key), Json());
    return obj->back().second;
}

const Json* Json::find(std::string_view key) const
{
    if (const auto* obj = std::get_if<Object>(&value_))
        for (const auto& [k, v] : *obj)
            if (k == key)
                return &v;
    return nullptr;
}

const Json::Object& Json::members() const
{
    const auto* obj = std::get_if<Object>(&value_);
    return obj ? *obj : kNoMembers;
}

void Json::push(Json v)
{
    if (is_null())
        value_ = Array{};
    auto* arr = std::get_if<Array>(&value_);
    if (!arr)
        fail(ErrorKind::Internal, "JSON: item pushed onto a value that is not an array");
    arr->push_back(std::move(v));
}

const Json::Array& Json::items() const
{
    const auto* arr = std::get_if<Array>(&value_);
    return arr ? *arr : kNoItems;
}

size_t Json::size() const
{
    if (const auto* arr = std::get_if<Array>(&value_))
        return arr->size();
    if (const auto* obj = std::get_if<Object>(&value_))
        return obj->size();
    return 0;
}

bool Json::as_bool(std::string_view what) const
{
    if (const auto* b = std::get_if<bool>(&value_))
        return *b;
    wrong_type(what, "true or false");
}

uint64_t Json::as_u64(std::string_view what) const
{
    if (const auto* u = std::get_if<uint64_t>(&value_))
        return *u;
    if (const auto* i = std::get_if<int64_t>(&value_); i && *i >= 0)
        return uint64_t(*i);
    wrong_type(what, "a whole number of 0 or more");
}

int64_t Json::as_i64(std::string_view what) const
{
    if (const auto* i = std::get_if<int64_t>(&value_))
        return *i;
    if (const auto* u = std::get_if<uint64_t>(&value_); u && *u <= uint64_t(INT64_MAX))
        return int64_t(*u);
    wrong_type(what, "a whole number");
}

double Json::as_double(std::string_view what) const
{
    if (const auto* d = std::get_if<double>(&value_))
        return *d;
    if (const auto* i = std::get_if<int64_t>(&value_))
        return double(*i);
    if (const auto* u = std::get_if<uint64_t>(&value_))
        return double(*u);
    wrong_type(what, "a number");
}

const std::string& Json::as_string(std::string_view what) const
{
    if (const auto* s = std::get_if<std::string>(&value_))
        return *s;
    wrong_type(what, "a string");
}

const Json& Json::at(std::string_view key) const
{
    if (!is_object())
        fail(ErrorKind::Unreadable, "not a JSON object where \"" + std::string(key) + "\" was looked for");
    const Json* v = find(key);
    if (!v)
        fail(ErrorKind::Unreadable, "no \"" + std::string(key) + "\"");
    return *v;
}

bool operator==(const Json& a, const Json& b)
{
    if (a.type() == Json::Type::Integer && b.type() == Json::Type::Integer) {
        // 5 read as unsigned and 5 made as int are the same number.
        bool a_neg = std::holds_alternative<int64_t>(a.value_) && std::get<int64_t>(a.value_) < 0;
        bool b_neg = std::holds_alternative<int64_t>(b.value_) && std::get<int64_t>(b.value_) < 0;
        if (a_neg || b_neg)
            return a_neg && b_neg && std::get<int64_t>(a.value_) == std::get<int64_t>(b.value_);
        return a.as_u64() == b.as_u64();
    }
    return a.value_ == b.value_;
}

std::string json_quote(std::string_view text)
{
    std::string out = "\"";
    for (unsigned char c : text) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c < 0x20 || c == 0x7f) {
                static const char hex[] = "0123456789abcdef";
                out += "\\u00";
                out += hex[c >> 4];
                out += hex[c & 15];
            } else {
                out += char(c);
            }
        }
    }
    return out + "\"";
}

void Json::write(std::string& out, int indent, int depth) const
{
    switch (value_.index()) {
    case 0: out += "null"; return;
    case 1: out += std::get<bool>(value_) ? "true" : "false"; return;
    case 2: out += std::to_string(std::get<int64_t>(value_)); return;
    case 3: out += std::to_string(std::get<uint64_t>(value_)); return;
    case 4: {
        double d = std::get<double>(value_);
        if (!std::isfinite(d)) {
            out += "null";
            return;
        }
        char buf[64];
        auto r = std::to_chars(buf, buf + sizeof buf, d);
        out.append(buf, r.ptr);
        return;
    }
    case 5: out += json_quote(std::get<std::string>(value_)); return;
    case 6: {
        const auto& arr = std::get<Array>(value_);
        out += '[';
        for (size_t i = 0; i < arr.size(); ++i) {
            if (i)
                out += ',';
            if (indent)
                indent_line(out, indent, depth + 1);
            arr[i].write(out, indent, depth + 1);
        }
        if (indent && !arr.empty())
            indent_line(out, indent, depth);
        out += ']';
        return;
    }
    default: {
        const auto& obj = std::get<Object>(value_);
        out += '{';
        for (size_t i = 0; i < obj.size(); ++i) {
            if (i)
                out += ',';
            if (indent)
                indent_line(out, indent, depth + 1);
            out += json_quote(obj[i].first);
            out += indent ? ": " : ":";
            obj[i].second.write(out, indent, depth + 1);
        }
        if (indent && !obj.empty())
            indent_line(out, indent, depth);
        out += '}';
    }
    }
}

std::string Json::dump(int indent) const
{
    std::string out;
    write(out, indent, 0);
    return out;
}

namespace {

// A recursive-descent reader of one JSON value, keeping the line and column for messages.
class JsonReader {
public:
    JsonReader(std::string_view text, const std::string& name) : text_(text), name_(name) {}

    Json document()
    {
        skip_blanks();
        Json v = value(0);
        skip_blanks();
        if (pos_ != text_.size())
            bad("text after the JSON value");
        return v;
    }

private:
    static constexpr int kMaxDepth = 200;
    std::string_view text_;
    const std::string& name_;
    size_t pos_ = 0;

    [[noreturn]] void bad(const std::string& what) const
    {
        size_t line = 1, col = 1;
        for (size_t i = 0; i < pos_ && i < text_.size(); ++i) {
            if (text_[i] == '\n') {
                ++line;
                col = 1;
            } else {
                ++col;
            }
        }
        fail(ErrorKind::Unreadable,
             name_ + ": line " + std::to_string(line) + ", column " + std::to_string(col) + ": " + what);
    }
    bool at_end() const { return pos_ >= text_.size(); }
    char peek() const { return at_end() ? '\0' : text_[pos_]; }
    void skip_blanks()
    {
        while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r'))
            ++pos_;
    }
    void expect_word(std::string_view word)
    {
        if (text_.substr(pos_, word.size()) != word)
            bad("not a JSON value");
        pos_ += word.size();
    }

    Json value(int depth)
    {
        if (depth >= kMaxDepth)
            bad("nested more than " + std::to_string(kMaxDepth) + " deep");
        switch (peek()) {
        case '{': return object(depth);
        case '[': return array(depth);
        case '"': return Json(string());
        case 't': expect_word("true"); return Json(true);
        case 'f': expect_word("false"); return Json(false);
        case 'n': expect_word("null"); return Json();
        default:
            if (peek() == '-' || (peek() >= '0' && peek() <= '9'))
                return number();
            bad(at_end() ? "the text ends where a value should be" : "not a JSON value");
        }
    }

    Json object(int depth)
    {
        ++pos_;
        Json obj = Json::object();
        skip_blanks();
        if (peek() == '}') {
            ++pos_;
            return obj;
        }
        for (;;) {
            skip_blanks();
            if (peek() != '"')
                bad("a member name (a string) was expected");
            std::string key = string();
            if (obj.contains(key))
                bad("member \"" + key + "\" given twice");
            skip_blanks();
            if (peek() != ':')
                bad("':' was expected after a member name");
            ++pos_;
            skip_blanks();
            obj[key] = value(depth + 1);
            skip_blanks();
            if (peek() == ',') {
                ++pos_;
                continue;
            }
            if (peek() == '}') {
                ++pos_;
                return obj;
            }
            bad("',' or '}' was expected");
        }
    }

    Json array(int depth)
    {
        ++pos_;
        Json arr = Json::array();
        skip_blanks();
        if (peek() == ']') {
            ++pos_;
            return arr;
        }
        for (;;) {
            skip_blanks();
            arr.push(value(depth + 1));
            skip_blanks();
            if (peek() == ',') {
                ++pos_;
                continue;
            }
            if (peek() == ']') {
                ++pos_;
                return arr;
            }
            bad("',' or ']' was expected");
        }
    }

    unsigned hex4()
    {
        if (pos_ + 4 > text_.size())
            bad("\\u needs four hexadecimal digits");
        unsigned v = 0;
        for (int i = 0; i < 4; ++i) {
            char c = text_[pos_++];
            v <<= 4;
            if (c >= '0' && c <= '9')
                v |= unsigned(c - '0');
            else if (c >= 'a' && c <= 'f')
                v |= unsigned(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F')
                v |= unsigned(c - 'A' + 10);
            else
                bad("\\u needs four hexadecimal digits");
        }
        return v;
    }

    static void append_utf8(std::string& out, unsigned cp)
    {
        if (cp < 0x80) {
            out += char(cp);
        } else if (cp < 0x800) {
            out += char(0xc0 | (cp >> 6));
            out += char(0x80 | (cp & 0x3f));
        } else if (cp < 0x10000) {
            out += char(0xe0 | (cp >> 12));
            out += char(0x80 | ((cp >> 6) & 0x3f));
            out += char(0x80 | (cp & 0x3f));
        } else {
            out += char(0xf0 | (cp >> 18));
            out += char(0x80 | ((cp >> 12) & 0x3f));
            out += char(0x80 | ((cp >> 6) & 0x3f));
            out += char(0x80 | (cp & 0x3f));
        }
    }

    unsigned escaped_code_point()
    {
        unsigned cp = hex4();
        if (cp >= 0xdc00 && cp <= 0xdfff)
            bad("a low surrogate \\u escape without a high one");
        if (cp >= 0xd800 && cp <= 0xdbff) {
            if (text_.substr(pos_, 2) != "\\u")
                bad("a high surrogate \\u escape without a low one");
            pos_ += 2;
            unsigned low = hex4();
            if (low < 0xdc00 || low > 0xdfff)
                bad("a high surrogate \\u escape without a low one");
            cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
        }
        return cp;
    }

    std::string string()
    {
        ++pos_;
        std::string out;
        for (;;) {
            if (at_end())
                bad("a string is not closed");
            if (static_cast<unsigned char>(text_[pos_]) < 0x20)
                bad("a control character in a string");
            char c = text_[pos_++];
            if (c == '"')
                return out;
            if (c != '\\') {
                out += c;
                continue;
            }
            if (at_end())
                bad("a string is not closed");
            char e = text_[pos_++];
            switch (e) {
            case '"': out += '"'; break;
            case '\\': out += '\\'; break;
            case '/': out += '/'; break;
            case 'b': out += '\b'; break;
            case 'f': out += '\f'; break;
            case 'n': out += '\n'; break;
            case 'r': out += '\r'; break;
            case 't': out += '\t'; break;
            case 'u': append_utf8(out, escaped_code_point()); break;
            default: --pos_; bad(std::string("unknown escape \\") + e);
            }
        }
    }

    Json number()
    {
        const size_t start = pos_;
        bool integer = true;
        if (peek() == '-')
            ++pos_;
        if (peek() == '0') {
            ++pos_;
        } else if (peek() >= '1' && peek() <= '9') {
            while (peek() >= '0' && peek() <= '9')
                ++pos_;
        } else {
            bad("a number needs a digit");
        }
        if (peek() == '.') {
            integer = false;
            ++pos_;
            if (!(peek() >= '0' && peek() <= '9'))
                bad("a number needs a digit after '.'");
            while (peek() >= '0' && peek() <= '9')
                ++pos_;
        }
        if (peek() == 'e' || peek() == 'E') {
            integer = false;
            ++pos_;
            if (peek() == '+' || peek() == '-')
                ++pos_;
            if (!(peek() >= '0' && peek() <= '9'))
                bad("a number needs a digit in its exponent");
            while (peek() >= '0' && peek() <= '9')
                ++pos_;
        }
        const char* first = text_.data() + start;
        const char* last = text_.data() + pos_;
        if (integer) {
            if (*first == '-') {
                int64_t v = 0;
                if (auto r = std::from_chars(first, last, v); r.ec == std::errc() && r.ptr == last)
                    return Json(static_cast<long long>(v));
            } else {
                uint64_t v = 0;
                if (auto r = std::from_chars(first, last, v); r.ec == std::errc() && r.ptr == last)
                    return Json(static_cast<unsigned long long>(v));
            }
        }
        double d = 0;
        auto r = std::from_chars(first, last, d);
        if (r.ec != std::errc() || r.ptr != last || !std::isfinite(d)) {
            pos_ = start;
            bad("a number out of range");
        }
        return Json(d);
    }
};

} // namespace

Json parse_json(std::string_view text, const std::string& name)
{
    return JsonReader(text, name).document();
}

} // namespace ddr
