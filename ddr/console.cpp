#include "ddr/console.hpp"

#include "formats/io/tod.hpp"

#include <cstdio>
#include <ctime>

namespace ddr::console {

namespace {

// `s` without trailing blanks: IBM's lines end at their last character.
std::string trimmed(std::string s)
{
    while (!s.empty() && s.back() == ' ')
        s.pop_back();
    return s;
}

} // namespace

std::string message(std::string_view id, std::string_view text)
{
    return "DMKDDR" + std::string(id) + " " + std::string(text);
}

std::string doing(std::string_view verb, std::string_view volser)
{
    std::string s(verb);
    s.resize(std::max<size_t>(s.size() + 1, 10), ' ');
    return trimmed(s + std::string(volser));
}

std::string end_of_volume(uint32_t cyl, uint32_t head)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "END OF VOLUME CYL %03u HD %02u, MOUNT NEXT TAPE", cyl, head);
    return buf;
}

std::string volid_read(std::string_view read, std::string_view expected)
{
    return message("711R", "VOLID READ IS " + std::string(read) +
                               (expected.empty() ? std::string() : " NOT " + std::string(expected)));
}

std::string no_vol1_label()
{
    return message("716R", "NO VOL1 LABEL FOUND");
}

std::string dumped_to_be_restored(std::string_view dumped, std::string_view target)
{
    return trimmed(message("717R", "DATA DUMPED FROM " + std::string(dumped) + " TO BE RESTORED TO " +
                                       std::string(target)));
}

std::string input_larger_than_output()
{
    return message("725R", "ORIGINAL INPUT DEVICE WAS LARGER THAN OUTPUT DEVICE");
}

std::string heading_time(uint64_t tod)
{
    const std::time_t secs = std::time_t(unix_micros_from_tod(tod) / 1000000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%02d/%02d/%02d AT %02d:%02d:%02d", tm.tm_mon + 1, tm.tm_mday, tm.tm_year % 100,
                  tm.tm_hour, tm.tm_min, tm.tm_sec);
    return buf;
}

std::vector<std::string> extent_page(const std::string& heading, const std::vector<ExtentRow>& rows,
                                     std::string_view end)
{
    std::vector<std::string> lines{heading, "", "", "INPUT CYLINDER EXTENTS      OUTPUT CYLINDER EXTENTS", "",
                                   "        START     STOP      START     STOP"};
    for (const ExtentRow& r : rows) {
        char buf[80];
        std::snprintf(buf, sizeof buf, "        %04u      %04u      %04u      %04u", r.in_first, r.in_last,
                      r.out_first, r.out_last);
        lines.emplace_back(buf);
    }
    lines.insert(lines.end(), {"", "", std::string(end)});
    return lines;
}

std::string dump_heading(uint64_t tod, std::string_view volser)
{
    return trimmed("DUMPING DATA  " + heading_time(tod) + "  GMT FROM " + std::string(volser));
}

std::string restore_heading(uint64_t tod, std::string_view volser, std::string_view target)
{
    return trimmed("DATA DUMPED   " + heading_time(tod) + "  GMT FROM " + std::string(volser) + " RESTORED TO " +
                   std::string(target));
}

std::string copy_heading(uint64_t tod, std::string_view volser, std::string_view target)
{
    return trimmed("COPYING DATA  " + heading_time(tod) + "  GMT FROM " + std::string(volser) + " TO " +
                   std::string(target));
}

} // namespace ddr::console
