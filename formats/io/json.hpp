// JSON values: what `--json` prints and what a run's catalog.json holds.
//
// A Json is a value type (null, bool, integer, real, string, array, object).  Objects keep
// their members in the order they were set, so a report reads in the order it was made
// and a catalog written twice is the same bytes.  Integers are kept exactly as signed or
// unsigned 64-bit values (byte counts of a 3390-54 and more), never through a double.
// parse_json reads untrusted text (a catalog may come from another host): it is fuzzed,
// bounds its nesting, and reports the line and column of the first fault.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace ddr {

class Json {
public:
    enum class Type { Null, Bool, Integer, Real, String, Array, Object };
    using Array = std::vector<Json>;
    using Member = std::pair<std::string, Json>;
    using Object = std::vector<Member>;

    Json() = default;                       // null
    Json(std::nullptr_t) {}
    Json(bool b) : value_(b) {}
    Json(int v) : value_(int64_t(v)) {}
    Json(long v) : value_(int64_t(v)) {}
    Json(long long v) : value_(int64_t(v)) {}
    Json(unsigned v) : value_(uint64_t(v)) {}
    Json(unsigned long v) : value_(uint64_t(v)) {}
    Json(unsigned long long v) : value_(uint64_t(v)) {}
    Json(double v) : value_(v) {}
    Json(std::string s) : value_(std::move(s)) {}
    Json(std::string_view s) : value_(std::string(s)) {}
    Json(const char* s) : value_(std::string(s)) {}

    static Json array() { Json j; j.value_ = Array{}; return j; }
    static Json object() { Json j; j.value_ = Object{}; return j; }

    Type type() const;
    bool is_null() const { return type() == Type::Null; }
    bool is_object() const { return type() == Type::Object; }
    bool is_array() const { return type() == Type::Array; }
    bool is_string() const { return type() == Type::String; }
    bool is_number() const { return type() == Type::Integer || type() == Type::Real; }

    // Object access.  operator[] makes a null value an object and adds the key if it is
    // missing (at the end); find returns nullptr for a missing key or a non-object.
    Json& operator[](std::string_view key);
    const Json* find(std::string_view key) const;
    bool contains(std::string_view key) const { return find(key) != nullptr; }
    const Object& members() const;   // an empty list for a non-object

    // Array access: push makes a null value an array.
    void push(Json v);
    const Array& items() const;      // an empty list for a non-array
    size_t size() const;             // members or items; 0 for a scalar

    // Typed reads.  Each throws Error(Unreadable) "not a string" (and so on) naming
    // `what` when the value is not of that type; as_u64 also refuses a negative or
    // fractional number.
    bool as_bool(std::string_view what = "value") const;
    uint64_t as_u64(std::string_view what = "value") const;
    int64_t as_i64(std::string_view what = "value") const;
    double as_double(std::string_view what = "value") const;
    const std::string& as_string(std::string_view what = "value") const;

    // The member `key` of an object, read as that type: Error(Unreadable) "WHERE: no KEY"
    // if it is missing, or names KEY if it is of another type.
    const Json& at(std::string_view key) const;

    // JSON text.  indent 0: one line with no blanks (for a line-per-record log);
    // otherwise members and items on lines of their own, indented that much.
    std::string dump(int indent = 2) const;

    friend bool operator==(const Json& a, const Json& b);

private:
    std::variant<std::monostate, bool, int64_t, uint64_t, double, std::string, Array, Object> value_;
    void write(std::string& out, int indent, int depth) const;
};

// The value the JSON text `text` holds; `name` (a file name) starts every error message.
// Error(Unreadable) "NAME: line L, column C: ..." for text that is not exactly one JSON
// value (trailing text other than blanks is an error), nesting deeper than 200, invalid
// UTF-8 escapes, or numbers that do not fit a double.
Json parse_json(std::string_view text, const std::string& name);

// "text" with JSON's escapes: what dump() writes for a string.
std::string json_quote(std::string_view text);

} // namespace ddr
