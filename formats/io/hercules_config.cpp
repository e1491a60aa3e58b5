#include "formats/io/hercules_config.hpp"

#include "formats/io/error.hpp"

#include <cctype>

namespace ddr {

namespace {

// One statement: its text with continuations joined and comments removed, and the line
// it starts on.
struct ConfigStatement {
    std::string text;
    unsigned line = 0;
};

// Cuts "# comment" off a line: a "#" in the first column or after a blank, outside quotes.
std::string_view without_comment(std::string_view line)
{
    bool quoted = false;
    for (size_t i = 0; i < line.size(); ++i) {
        if (line[i] == '"')
            quoted = !quoted;
        else if (line[i] == '#' && !quoted && (i == 0 || std::isspace(static_cast<unsigned char>(line[i - 1]))))
            return line.substr(0, i);
    }
    return line;
}

std::string_view trim_right(std::string_view s)
{
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
        s.remove_suffix(1);
    return s;
}

// The statements of a configuration, continuation lines joined.
std::vector<ConfigStatement> statements_of(std::string_view text)
{
    std::vector<ConfigStatement> out;
    ConfigStatement cur;
    bool continuing = false;
    unsigned line_no = 0;
    while (!text.empty()) {
        const size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        ++line_no;
        line = trim_right(without_comment(line));
        if (!continuing)
            cur = {std::string(), line_no};
        continuing = !line.empty() && line.back() == '\\';
        if (continuing)
            line.remove_suffix(1);
        cur.text += std::string(line) + " ";
        if (!continuing)
            out.push_back(std::move(cur));
    }
    if (continuing)
        out.push_back(std::move(cur));
    return out;
}

[[noreturn]] void bad(const std::string& name, unsigned line, const std::string& what)
{
    fail(ErrorKind::Usage, file_place(name), "line " + std::to_string(line) + ": " + what);
}

// The words of a statement; a double-quoted word may hold blanks.
std::vector<std::string> words_of(const ConfigStatement& s, const std::string& name)
{
    std::vector<std::string> words;
    std::string word;
    bool quoted = false, any = false;
    for (char c : s.text) {
        if (c == '"') {
            quoted = !quoted;
            any = true;
        } else if (!quoted && std::isspace(static_cast<unsigned char>(c))) {
            if (any)
                words.push_back(std::move(word));
            word.clear();
            any = false;
        } else {
            word += c;
            any = true;
        }
    }
    if (quoted)
        bad(name, s.line, "a quote is not closed");
    return words;
}

// A hexadecimal number of 1-4 digits, or -1.
long hex_unit(std::string_view s)
{
    if (s.empty() || s.size() > 4)
        return -1;
    long v = 0;
    for (char c : s) {
        if (!std::isxdigit(static_cast<unsigned char>(c)))
            return -1;
        v = v * 16 + (std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : std::toupper(c) - 'A' + 10);
    }
    return v;
}

// The units an address word names: "0130", "0:0130", "0130-0133", "0130.4"; empty if
// the word is no address (the statement is not a device statement).
std::vector<uint16_t> units_of(std::string_view word, const std::string& name, unsigned line)
{
    if (const size_t colon = word.find(':'); colon != std::string_view::npos && colon <= 2)
        word = word.substr(colon + 1);
    const size_t sep = word.find_first_of("-.");
    const long first = hex_unit(word.substr(0, sep));
    if (first < 0)
        return {};
    long last = first;
    if (sep != std::string_view::npos) {
        const std::string_view rest = word.substr(sep + 1);
        const long n = word[sep] == '-' ? hex_unit(rest) : (rest.size() <= 3 && !rest.empty() ? hex_unit(rest) : -1);
        if (n < 0)
            return {};
        last = word[sep] == '-' ? n : first + n - 1;
        if (last < first || last > 0xFFFF || last - first >= 256)
            bad(name, line, "the address range " + std::string(word) + " is empty or longer than 256 units");
    }
    std::vector<uint16_t> units;
    for (long u = first; u <= last; ++u)
        units.push_back(uint16_t(u));
    return units;
}

} // namespace

std::vector<HerculesDevice> parse_hercules_config(std::string_view text, const std::string& name)
{
    std::vector<HerculesDevice> devices;
    for (const ConfigStatement& s : statements_of(text)) {
        const std::vector<std::string> words = words_of(s, name);
        if (words.empty())
            continue;
        const std::vector<uint16_t> units = units_of(words[0], name, s.line);
        if (units.empty())
            continue;  // not a device statement
        if (words.size() < 2 || words[1].empty())
            bad(name, s.line, "device " + words[0] + " has no device type");
        for (uint16_t unit : units) {
            HerculesDevice d;
            d.unit = unit;
            d.devtype = words[1];
            d.file = words.size() > 2 ? words[2] : std::string();
            d.options.assign(words.begin() + std::min<size_t>(3, words.size()), words.end());
            d.line = s.line;
            devices.push_back(std::move(d));
        }
    }
    return devices;
}

std::string hercules_option(const std::vector<std::string>& options, std::string_view key)
{
    for (const std::string& o : options)
        if (o.size() > key.size() && o.compare(0, key.size(), key) == 0 && o[key.size()] == '=')
            return o.substr(key.size() + 1);
    return {};
}

} // namespace ddr
