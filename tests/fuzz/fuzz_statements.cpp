// fuzz_statements: the input is a mode byte and text.
//   mode even: lines of DDR control statements, as `ddr run` reads them: each line goes
//     through parse_statement; after a DUMP/RESTORE/COPY with extents, the lines up to a
//     null line through parse_extent_line and add_extent; every line through parse_answer.
//   mode odd: a Hercules configuration file (parse_hercules_config).
// The parsers never throw (statements) or throw only ddr::Error of kind Usage (the
// configuration); a step's extents stay at most 20, each first <= last, ascending on the
// volume and on the tape; every device statement names a line of the input.
#include "ddr/statements.hpp"
#include "formats/io/hercules_config.hpp"
#include "tests/fuzz/fuzz_support.hpp"

#include <algorithm>
#include <string_view>

using namespace ddr;

namespace {

void check_extents(const std::vector<stmt::Extent>& extents)
{
    fuzz::check(extents.size() <= stmt::kMaxExtents, "more than 20 extents taken");
    for (size_t i = 0; i < extents.size(); ++i) {
        fuzz::check(extents[i].first <= extents[i].last, "an extent ends before it starts");
        if (i > 0) {
            fuzz::check(extents[i].first > extents[i - 1].last, "extents do not ascend");
            fuzz::check(extents[i].output_first() > extents[i - 1].output_last(), "extents do not ascend on tape");
        }
    }
}

void statements(std::string_view text)
{
    std::vector<stmt::Extent> extents;
    bool in_step = false;
    while (!text.empty()) {
        const size_t nl = text.find('\n');
        const std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        (void)stmt::parse_answer(line);
        if (in_step) {
            if (stmt::is_null_line(line)) {
                in_step = false;
                continue;
            }
            const stmt::ParsedExtent e = stmt::parse_extent_line(line);
            if (const auto* x = std::get_if<stmt::Extent>(&e))
                (void)stmt::add_extent(extents, *x);
            check_extents(extents);
            continue;
        }
        const stmt::ParsedStatement p = stmt::parse_statement(line);
        if (const auto* s = std::get_if<stmt::Statement>(&p)) {
            if (const auto* f = std::get_if<stmt::FunctionStatement>(s)) {
                extents = f->extents;
                check_extents(extents);
                in_step = f->scope == stmt::Scope::Extents;
            }
            if (const auto* d = std::get_if<stmt::DeviceStatement>(s))
                fuzz::check(!d->type.name.empty(), "a device statement without a type");
        }
    }
}

void configuration(std::string_view text)
{
    try {
        const std::vector<HerculesDevice> devices = parse_hercules_config(text, "fuzz.cnf");
        const size_t lines = size_t(std::count(text.begin(), text.end(), '\n')) + 1;
        for (const HerculesDevice& d : devices)
            fuzz::check(d.line >= 1 && d.line <= lines && !d.devtype.empty(), "a device statement out of the input");
    } catch (const Error& e) {
        fuzz::expect_input_error(e);
        fuzz::check(e.kind() == ErrorKind::Usage, "a configuration error that is not Usage");
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size == 0)
        return 0;
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    if (data[0] % 2 == 0)
        statements(text);
    else
        configuration(text);
    return 0;
}
