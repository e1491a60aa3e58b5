#include "formats/ddrtape/extents.hpp"

#include "formats/io/error.hpp"

#include <charconv>

namespace ddr {

namespace {
uint64_t parse_number(const std::string& text, const std::string& spec)
{
    uint64_t v = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc() || ptr != text.data() + text.size())
        fail(ErrorKind::Usage, "bad extent '" + spec + "': expected A, A-B or A-B:C with decimal numbers");
    return v;
}
} // namespace

std::string Extent::str() const
{
    std::string s = std::to_string(first);
    if (last != first)
        s += "-" + std::to_string(last);
    if (reordered())
        s += ":" + std::to_string(output_first);
    return s;
}

std::vector<Extent> parse_extents(const std::vector<std::string>& specs, std::optional<uint64_t> reorder,
                                  const char* unit_name)
{
    if (specs.size() > kMaxExtents)
        fail(ErrorKind::Usage, std::to_string(specs.size()) + " extents given; DDR allows at most 20");
    if (reorder && specs.size() != 1)
        fail(ErrorKind::Usage, "--reorder applies to exactly one extent; write A-B:C to reorder one of several");
    std::vector<Extent> out;
    for (const std::string& spec : specs) {
        std::string range = spec, target;
        if (auto colon = spec.find(':'); colon != std::string::npos) {
            range = spec.substr(0, colon);
            target = spec.substr(colon + 1);
        }
        Extent e;
        if (auto dash = range.find('-'); dash != std::string::npos) {
            e.first = parse_number(range.substr(0, dash), spec);
            e.last = parse_number(range.substr(dash + 1), spec);
        } else {
            e.first = e.last = parse_number(range, spec);
        }
        if (e.last < e.first)
            fail(ErrorKind::Usage, "bad extent '" + spec + "': " + unit_name + " " + std::to_string(e.last) +
                                       " comes before " + std::to_string(e.first));
        e.output_first = target.empty() ? e.first : parse_number(target, spec);
        if (reorder)
            e.output_first = *reorder;
        out.push_back(e);
    }
    for (size_t i = 1; i < out.size(); ++i) {
        if (out[i].output_first <= out[i - 1].output_last())
            fail(ErrorKind::Usage, "extents must ascend without overlapping (as written to tape): '" + out[i].str() +
                                       "' after '" + out[i - 1].str() + "'");
    }
    return out;
}

void check_extents_within(const std::vector<Extent>& extents, uint64_t last_input, const std::string& what,
                          const char* unit_name)
{
    for (const Extent& e : extents) {
        if (e.last > last_input)
            fail(ErrorKind::Usage, std::string("extent '") + e.str() + "' reaches " + unit_name + " " +
                                       std::to_string(e.last) + ", beyond " + what + "'s last " + unit_name +
                                       " " + std::to_string(last_input));
    }
}

} // namespace ddr
