#include "ddr/run_display.hpp"

namespace ddr {

namespace {

// "1 4 2": a PRINT/TYPE address as IBM's form of ddr print's range takes it.
void add_words(const stmt::RecordAddress& a, std::vector<std::string>& words)
{
    words.push_back(std::to_string(a.cyl));
    if (a.head)
        words.push_back(std::to_string(*a.head));
    if (a.record)
        words.push_back(std::to_string(*a.record));
}

} // namespace

PrintOptions print_options_for(const stmt::DisplayStatement& s, const std::string& file, uint64_t dumps_before)
{
    PrintOptions o;
    o.device = s.print ? ListingDevice::Printer : ListingDevice::Console;
    o.source = file;
    add_words(s.from, o.ibm_range);
    if (s.to) {
        o.ibm_range.push_back("TO");
        add_words(*s.to, o.ibm_range);
    }
    // IBM's default (neither HEX nor GRAPHIC given) is both: ddr print's too.
    o.hex = s.hex && !s.graphic;
    o.graphic = s.graphic && !s.hex;
    o.count = s.count;
    o.file = dumps_before + 1;
    return o;
}

} // namespace ddr
