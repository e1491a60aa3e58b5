// JSON values, their text and the reader of untrusted text (formats/io/json.hpp).
#include "formats/io/error.hpp"
#include "formats/io/json.hpp"

#include <doctest/doctest.h>

using namespace ddr;

namespace {

std::string error_of(std::string_view text)
{
    try {
        parse_json(text, "cat.json");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::Unreadable);
        return e.what();
    }
    return "";
}

} // namespace

TEST_CASE("json: members keep the order they were set in; integers stay exact")
{
    Json j;
    j["volser"] = "VMRES1";
    j["bytes"] = uint64_t(56'000'000'123ULL);
    j["tod"] = uint64_t(0xDEADBEEFCAFEF00DULL);
    j["delta"] = -7;
    j["ok"] = true;
    j["files"].push(Json("a.aws"));
    j["files"].push(Json("b.aws"));
    j["none"] = Json();
    j["rate"] = 1.5;
    CHECK(j.dump(0) == R"({"volser":"VMRES1","bytes":56000000123,"tod":16045690984503111693,"delta":-7,"ok":true,)"
                       R"("files":["a.aws","b.aws"],"none":null,"rate":1.5})");
    const Json back = parse_json(j.dump(2), "x");
    CHECK(back == j);
    CHECK(back.at("tod").as_u64() == 0xDEADBEEFCAFEF00DULL);
    CHECK(back.at("delta").as_i64() == -7);
    CHECK(back.at("files").items().size() == 2);
    CHECK(back.at("files").items()[1].as_string() == "b.aws");
    j["volser"] = "VMRES2";  // setting a member again replaces it in place
    CHECK(j.members().front().second.as_string() == "VMRES2");
}

TEST_CASE("json: the indented form")
{
    Json j;
    j["a"] = 1;
    j["b"] = Json::array();
    j["c"].push(Json(2));
    CHECK(j.dump(2) == "{\n  \"a\": 1,\n  \"b\": [],\n  \"c\": [\n    2\n  ]\n}");
    CHECK(Json::object().dump() == "{}");
}

TEST_CASE("json: strings are escaped and read back, \\u escapes become UTF-8")
{
    const std::string odd = "a\"b\\c\n\t\x01 \xc3\xa9";
    CHECK(json_quote(odd) == "\"a\\\"b\\\\c\\n\\t\\u0001 \xc3\xa9\"");
    CHECK(parse_json(json_quote(odd), "x").as_string() == odd);
    CHECK(parse_json(R"("\u00e9\u20ac\ud83d\ude00\/")", "x").as_string() == "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80/");
}

TEST_CASE("json: typed reads name what was wanted")
{
    const Json j = parse_json(R"({"n": -1, "s": "x", "r": 2.5})", "x");
    CHECK_THROWS_WITH_AS(j.at("n").as_u64("n"), "n is not a whole number of 0 or more", Error);
    CHECK_THROWS_WITH_AS(j.at("s").as_u64("s"), "s is not a whole number of 0 or more", Error);
    CHECK_THROWS_WITH_AS(j.at("r").as_string("r"), "r is not a string", Error);
    CHECK_THROWS_WITH_AS(j.at("missing"), "no \"missing\"", Error);
    CHECK(j.at("r").as_double() == 2.5);
    CHECK(j.find("missing") == nullptr);
}

TEST_CASE("json: bad text is refused with its line and column")
{
    CHECK(error_of("{\"a\": 1,\n  \"b\" 2}") == "cat.json: line 2, column 7: ':' was expected after a member name");
    CHECK(error_of("") == "cat.json: line 1, column 1: the text ends where a value should be");
    CHECK(error_of("[1, 2") == "cat.json: line 1, column 6: ',' or ']' was expected");
    CHECK(error_of("{} x") == "cat.json: line 1, column 4: text after the JSON value");
    CHECK(error_of("\"abc") == "cat.json: line 1, column 5: a string is not closed");
    CHECK(error_of("\"a\nb\"") == "cat.json: line 1, column 3: a control character in a string");
    CHECK(error_of("{\"a\":1,\"a\":2}") == "cat.json: line 1, column 11: member \"a\" given twice");
    CHECK(error_of("01") == "cat.json: line 1, column 2: text after the JSON value");
    CHECK(error_of("1e999") == "cat.json: line 1, column 1: a number out of range");
    CHECK(error_of("\"\\ud800\"") == "cat.json: line 1, column 8: a high surrogate \\u escape without a low one");
    CHECK(error_of("tru") == "cat.json: line 1, column 1: not a JSON value");
    CHECK(error_of(std::string(201, '[') + std::string(201, ']')).find("nested more than 200 deep") != std::string::npos);
    CHECK_NOTHROW(parse_json(std::string(200, '[') + std::string(200, ']'), "x"));
    // Integers beyond 64 bits are read as reals, not wrapped.
    CHECK(parse_json("18446744073709551616", "x").type() == Json::Type::Real);
    CHECK(parse_json("18446744073709551615", "x").as_u64() == 18446744073709551615ULL);
    CHECK(parse_json("-9223372036854775808", "x").as_i64() == INT64_MIN);
}
