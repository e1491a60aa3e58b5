#include "ddr/statements.hpp"

#include "devices/ckd_devices.hpp"
#include "devices/fba_devices.hpp"
#include "devices/tape_devices.hpp"

#include <array>
#include <cctype>
#include <cstdio>

namespace ddr::stmt {

namespace {

// A word of a statement and how much of it must be typed (IBM's minimum abbreviation).
struct Keyword {
    std::string_view name;
    size_t min_length;
};

// IBM's R6 device type table: every name must be typed in full (its minimum length is
// its length) -- the table's flag byte says so for each row.
struct IbmDeviceRow {
    std::string_view name;
    DeviceClass cls;
};
constexpr std::array<IbmDeviceRow, 17> kIbmDevices{{
    {"2305-1", DeviceClass::Dasd}, {"2305-2", DeviceClass::Dasd}, {"2311", DeviceClass::Dasd},
    {"2314", DeviceClass::Dasd},   {"2319", DeviceClass::Dasd},   {"3330", DeviceClass::Dasd},
    {"3330-11", DeviceClass::Dasd}, {"3350", DeviceClass::Dasd},  {"3340-35", DeviceClass::Dasd},
    {"3340-70", DeviceClass::Dasd}, {"2400", DeviceClass::Tape},  {"2401", DeviceClass::Tape},
    {"2415", DeviceClass::Tape},   {"2420", DeviceClass::Tape},   {"3410", DeviceClass::Tape},
    {"3411", DeviceClass::Tape},   {"3420", DeviceClass::Tape},
}};

// The statements and their minimum abbreviations (IBM's: IN, OUT, SY, DU, CO, RE; the
// rest two letters, END in full).
constexpr Keyword kInput{"INPUT", 2}, kOutput{"OUTPUT", 3}, kSysprint{"SYSPRINT", 2}, kDump{"DUMP", 2},
    kCopy{"COPY", 2}, kRestore{"RESTORE", 2}, kPrint{"PRINT", 2}, kType{"TYPE", 2}, kEnd{"END", 3};

// True if `word` is `k` typed at least to its minimum abbreviation.
bool is(std::string_view word, const Keyword& k)
{
    return word.size() >= k.min_length && word.size() <= k.name.size() && k.name.substr(0, word.size()) == word;
}

StatementError invalid(std::string_view word, std::string detail = {})
{
    return {"701E", "INVALID OPERAND - " + std::string(word), std::move(detail)};
}

StatementError missing(std::string detail)
{
    return {"703E", "OPERAND MISSING", std::move(detail)};
}

StatementError bad_extents(std::string detail)
{
    return {"713E", "OVERLAPPING OR INVALID EXTENTS", std::move(detail)};
}

// The words of a statement: columns 1-71, upper case, split at blanks; a "(" starts a
// word of its own (the option list) and a closing ")" is dropped.
std::vector<std::string> words_of(std::string_view line)
{
    std::vector<std::string> words;
    std::string word;
    auto flush = [&] {
        if (!word.empty())
            words.push_back(std::move(word));
        word.clear();
    };
    for (char c : line.substr(0, kStatementColumns)) {
        const unsigned char u = static_cast<unsigned char>(c);
        if (std::isspace(u) || c == ')') {
            flush();
        } else if (c == '(') {
            flush();
            words.emplace_back("(");
        } else {
            word += char(std::toupper(u));
        }
    }
    flush();
    return words;
}

// A decimal number of at most `max`, or nullopt.
std::optional<uint32_t> number(std::string_view word, uint32_t max)
{
    if (word.empty() || word.size() > 9)
        return std::nullopt;
    uint64_t v = 0;
    for (char c : word) {
        if (c < '0' || c > '9')
            return std::nullopt;
        v = v * 10 + uint32_t(c - '0');
    }
    return v <= max ? std::optional<uint32_t>(uint32_t(v)) : std::nullopt;
}

// Reads the words of a statement's operands in order.
class Words {
public:
    Words(const std::vector<std::string>& words, size_t from) : words_(words), at_(from) {}
    bool done() const { return at_ >= words_.size(); }
    const std::string& peek() const { return words_[at_]; }
    const std::string& take() { return words_[at_++]; }
    bool take_if(std::string_view full)
    {
        if (done() || peek() != full)
            return false;
        ++at_;
        return true;
    }

private:
    const std::vector<std::string>& words_;
    size_t at_;
};

bool valid_volser(std::string_view v)
{
    if (v.empty() || v.size() > 6)
        return false;
    for (char c : v)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '$' && c != '#' && c != '@' && c != '-')
            return false;
    return true;
}

} // namespace

std::optional<DeviceType> find_device_type(std::string_view word)
{
    for (const IbmDeviceRow& row : kIbmDevices)
        if (word == row.name)
            return DeviceType{std::string(row.name), row.cls, true};
    // An abbreviation of an IBM name is refused, even where ddr's tables know it as an
    // alias ("2305", "3330-1"): IBM's DDR wants those names in full.
    for (const IbmDeviceRow& row : kIbmDevices)
        if (row.name.substr(0, word.size()) == word)
            return std::nullopt;
    if (word.empty() || word.size() > 16)
        return std::nullopt;
    const std::string name(word);
    if (find_ckd_device(name) || find_fba_device(name))
        return DeviceType{name, DeviceClass::Dasd, false};
    if (word == "TAPE" || find_tape_reel(name))
        return DeviceType{name, DeviceClass::Tape, false};
    return std::nullopt;
}

std::optional<uint16_t> parse_unit(std::string_view word)
{
    if (word.empty() || word.size() > 4)
        return std::nullopt;
    unsigned v = 0;
    for (char c : word) {
        const int d = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
                      : (c >= 'A' && c <= 'F')                   ? c - 'A' + 10
                      : (c >= 'a' && c <= 'f')                   ? c - 'a' + 10
                                                                 : -1;
        if (d < 0)
            return std::nullopt;
        v = v * 16 + unsigned(d);
    }
    return uint16_t(v);
}

std::string unit_name(uint16_t unit)
{
    char buf[8];
    std::snprintf(buf, sizeof buf, unit > 0xFFF ? "%04X" : "%03X", unsigned(unit));
    return buf;
}

bool is_null_line(std::string_view line)
{
    return words_of(line).empty();
}

namespace {

// The tape options after "(": SKIP n, MODE m, REWIND, UNLOAD, LEAVE, COMPACT, LZCOMPACT.
std::optional<StatementError> parse_tape_options(Words& w, TapeOptions& o)
{
    while (!w.done()) {
        const std::string& word = w.take();
        if (word == "SKIP") {
            if (w.done())
                return missing("SKIP needs the number of dumps to pass over");
            const std::string& n = w.take();
            o.skip = number(n, 255);
            if (!o.skip)
                return invalid(n, "SKIP takes 0 to 255");
        } else if (word == "MODE") {
            if (w.done())
                return missing("MODE needs a density");
            const std::string& m = w.take();
            if (m != "800" && m != "1600" && m != "6250" && m != "38K")
                return invalid(m, "MODE is 800, 1600, 6250 or 38K");
            o.mode = m == "38K" ? 38000 : *number(m, 6250);
        } else if (word == "REWIND" || word == "UNLOAD" || word == "LEAVE") {
            o.disposition = word == "REWIND" ? Disposition::Rewind
                            : word == "UNLOAD" ? Disposition::Unload
                                               : Disposition::Leave;
        } else if (word == "COMPACT" || word == "LZCOMPACT") {
            (word == "COMPACT" ? o.compact : o.lzcompact) = true;
        } else {
            return invalid(word, "a tape option is SKIP n, MODE m, REWIND, UNLOAD, LEAVE, COMPACT or LZCOMPACT");
        }
    }
    return std::nullopt;
}

// The operands of a DASD INPUT/OUTPUT after its type: [volser | SCRATCH].
std::optional<StatementError> parse_dasd_operands(Words& w, DeviceStatement& d)
{
    if (w.done())
        return std::nullopt;
    const std::string& v = w.take();
    if (v == "SCRATCH" && d.output)
        d.scratch = true;
    else if (valid_volser(v) && v != "(")
        d.volser = v;
    else
        return invalid(v, "a DASD is followed by a volser (1-6 characters)" +
                              std::string(d.output ? " or SCRATCH" : ""));
    if (!w.done())
        return invalid(w.peek(), "nothing follows the volser of a DASD");
    return std::nullopt;
}

ParsedStatement parse_device(const std::vector<std::string>& words, bool output)
{
    DeviceStatement d;
    d.output = output;
    Words w(words, 1);
    if (w.done())
        return missing("give the unit address and the device type");
    const std::string& cuu = w.take();
    const auto unit = parse_unit(cuu);
    if (!unit)
        return invalid(cuu, "a unit address is 1-4 hexadecimal digits");
    d.unit = *unit;
    if (w.done())
        return missing("give the device type after the unit address");
    const std::string& type = w.take();
    const auto t = find_device_type(type);
    if (!t)
        return invalid(type, "not a device type (they are typed in full: 3330, 3330-11, 3350, 3420...)");
    d.type = *t;
    if (d.type.cls == DeviceClass::Dasd) {
        if (auto e = parse_dasd_operands(w, d))
            return *e;
        return Statement{d};
    }
    if (!w.done() && w.peek() != "(") {
        const std::string& alt = w.take();
        d.alternate = parse_unit(alt);
        if (!d.alternate)
            return invalid(alt, "after a tape's type come an alternate unit address and \"(\" options");
    }
    if (w.take_if("("))
        if (auto e = parse_tape_options(w, d.tape))
            return *e;
    if (!w.done())
        return invalid(w.peek());
    return Statement{d};
}

ParsedStatement parse_sysprint(const std::vector<std::string>& words)
{
    Words w(words, 1);
    if (w.done())
        return missing("give the printer's unit address, or CONS");
    const std::string& word = w.take();
    SysprintStatement s;
    if (word != "CONS") {
        s.unit = parse_unit(word);
        if (!s.unit)
            return invalid(word, "SYSPRINT takes a unit address or CONS");
    }
    if (!w.done())
        return invalid(w.peek());
    return Statement{s};
}

// `c1 [TO] [c2 [REORDER] [TO] [c3]]` from the words of `w`.
ParsedExtent parse_extent_words(Words& w)
{
    const std::string& first = w.take();
    const auto c1 = number(first, 0x0FFFFFFF);
    if (!c1)
        return invalid(first, "an extent starts with a cylinder number");
    Extent e{*c1, *c1, std::nullopt};
    const bool to = w.take_if("TO");
    if (!w.done() && number(w.peek(), 0x0FFFFFFF))
        e.last = *number(w.take(), 0x0FFFFFFF);
    else if (to)
        return w.done() ? ParsedExtent(missing("TO needs the last cylinder")) : ParsedExtent(invalid(w.peek()));
    const bool reorder = w.take_if("REORDER");
    const bool to3 = w.take_if("TO");
    if (!w.done() && number(w.peek(), 0x0FFFFFFF))
        e.reorder = *number(w.take(), 0x0FFFFFFF);
    else if (reorder || to3)
        return w.done() ? ParsedExtent(missing("REORDER needs the cylinder to write from"))
                        : ParsedExtent(invalid(w.peek()));
    if (!w.done())
        return invalid(w.peek(), "an extent is c1 [TO] c2 [REORDER [TO] c3]");
    if (e.first > e.last)
        return bad_extents("cylinder " + std::to_string(e.first) + " comes after " + std::to_string(e.last));
    if (uint64_t(e.output_first()) + (e.last - e.first) > 0x0FFFFFFF)
        return bad_extents("the extent is written beyond the last possible cylinder");
    return e;
}

ParsedStatement parse_function(const std::vector<std::string>& words, Function f)
{
    FunctionStatement s;
    s.function = f;
    Words w(words, 1);
    if (w.done()) {
        s.scope = Scope::Extents;
        return Statement{s};
    }
    const std::string& first = w.peek();
    if (first == "ALL" || first == "CPVOL" || first == "NUCLEUS") {
        s.scope = first == "ALL" ? Scope::All : first == "CPVOL" ? Scope::Cpvol : Scope::Nucleus;
        w.take();
        if (!w.done())
            return invalid(w.peek(), first + " stands alone");
        return Statement{s};
    }
    s.scope = Scope::Extents;
    ParsedExtent e = parse_extent_words(w);
    if (auto* err = std::get_if<StatementError>(&e))
        return *err;
    s.extents.push_back(std::get<Extent>(e));
    return Statement{s};
}

// `cc [hh [rr]]` of PRINT/TYPE.
std::optional<StatementError> parse_record_address(Words& w, RecordAddress& a)
{
    const std::string& cc = w.take();
    const auto c = number(cc, 0x0FFFFFFF);
    if (!c)
        return invalid(cc, "PRINT and TYPE start with a cylinder number");
    a.cyl = *c;
    if (!w.done() && number(w.peek(), 0xFFFF))
        a.head = number(w.take(), 0xFFFF);
    if (a.head && !w.done() && number(w.peek(), 255))
        a.record = number(w.take(), 255);
    return std::nullopt;
}

// Orders two PRINT/TYPE addresses, a missing head or record counting as the first.
bool before(const RecordAddress& a, const RecordAddress& b)
{
    if (a.cyl != b.cyl)
        return a.cyl < b.cyl;
    if (a.head.value_or(0) != b.head.value_or(0))
        return a.head.value_or(0) < b.head.value_or(0);
    return a.record.value_or(0) < b.record.value_or(0);
}

std::optional<StatementError> parse_display_options(Words& w, DisplayStatement& d)
{
    d.hex = d.graphic = false;
    while (!w.done()) {
        const std::string& o = w.take();
        if (o == "HEX")
            d.hex = true;
        else if (o == "GRAPHIC")
            d.graphic = true;
        else if (o == "COUNT")
            d.count = true;
        else
            return invalid(o, "PRINT and TYPE take the options HEX, GRAPHIC and COUNT");
    }
    return std::nullopt;
}

ParsedStatement parse_display(const std::vector<std::string>& words, bool print)
{
    DisplayStatement d;
    d.print = print;
    Words w(words, 1);
    if (w.done())
        return missing("give the cylinder (head, record) to start at");
    if (auto e = parse_record_address(w, d.from))
        return *e;
    if (w.take_if("TO")) {
        if (w.done())
            return missing("TO needs the cylinder (head, record) to stop at");
        d.to.emplace();
        if (auto e = parse_record_address(w, *d.to))
            return *e;
        if (before(*d.to, d.from))
            return bad_extents("the range ends before it starts");
    }
    if (w.take_if("("))
        if (auto e = parse_display_options(w, d))
            return *e;
    if (!w.done())
        return invalid(w.peek());
    return Statement{d};
}

} // namespace

ParsedStatement parse_statement(std::string_view line)
{
    const std::vector<std::string> words = words_of(line);
    if (words.empty())
        return Statement{NullLine{}};
    const std::string& verb = words[0];
    if (is(verb, kInput) || is(verb, kOutput))
        return parse_device(words, is(verb, kOutput));
    if (is(verb, kSysprint))
        return parse_sysprint(words);
    if (is(verb, kDump) || is(verb, kRestore) || is(verb, kCopy))
        return parse_function(words, is(verb, kDump) ? Function::Dump : is(verb, kRestore) ? Function::Restore : Function::Copy);
    if (is(verb, kPrint) || is(verb, kType))
        return parse_display(words, is(verb, kPrint));
    if (is(verb, kEnd)) {
        if (words.size() > 1)
            return invalid(words[1], "END stands alone");
        return Statement{EndStatement{}};
    }
    return invalid(verb, "not a statement: INPUT, OUTPUT, SYSPRINT, DUMP, RESTORE, COPY, PRINT, TYPE or END");
}

ParsedExtent parse_extent_line(std::string_view line)
{
    const std::vector<std::string> words = words_of(line);
    if (words.empty())
        return missing("an extent is c1 [TO] c2 [REORDER [TO] c3]");
    Words w(words, 0);
    return parse_extent_words(w);
}

std::optional<StatementError> add_extent(std::vector<Extent>& extents, const Extent& next)
{
    if (extents.size() >= kMaxExtents)
        return StatementError{"712E", "NUMBER OF EXTENTS EXCEEDS 20", "a step takes at most 20 extents"};
    if (!extents.empty()) {
        const Extent& prev = extents.back();
        if (next.first <= prev.last)
            return bad_extents("extents ascend: cylinder " + std::to_string(next.first) + " is not after " +
                               std::to_string(prev.last));
        if (next.output_first() <= prev.output_last())
            return bad_extents("extents ascend on the tape too: cylinder " + std::to_string(next.output_first()) +
                               " is written at or before " + std::to_string(prev.output_last()));
    }
    extents.push_back(next);
    return std::nullopt;
}

std::optional<Answer> parse_answer(std::string_view line)
{
    const std::vector<std::string> words = words_of(line);
    if (words.size() != 1)
        return std::nullopt;
    if (words[0] == "YES")
        return Answer::Yes;
    if (words[0] == "NO")
        return Answer::No;
    if (words[0] == "REREAD")
        return Answer::Reread;
    return std::nullopt;
}

} // namespace ddr::stmt
