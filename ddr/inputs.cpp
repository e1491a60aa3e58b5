#include "ddr/inputs.hpp"

#include "ddr/report.hpp"
#include "formats/io/error.hpp"
#include "formats/tape/tape.hpp"

#include <algorithm>
#include <filesystem>

namespace ddr {

bool is_tape_input(const std::string& path)
{
    if (path == "-")
        return true;
    try {
        open_tape_reader(path);
        return true;
    } catch (const Error&) {
        return false;
    }
}

ScanProgress tape_reading_progress(const std::vector<std::string>& tapes, Reporter& reporter, const std::string& what)
{
    // Where each reel starts in the bytes of them all; all 0 (no total) if one has no size.
    std::vector<uint64_t> starts;
    uint64_t total = 0;
    for (const std::string& tape : tapes) {
        starts.push_back(total);
        std::error_code ec;
        const bool sized = tape != "-" && std::filesystem::is_regular_file(tape, ec);
        const uint64_t size = sized ? std::filesystem::file_size(tape, ec) : 0;
        if (!sized || ec) {
            starts.assign(tapes.size(), 0);
            total = 0;
            break;
        }
        total += size;
    }
    return [starts, total, &reporter, what](const ScanPosition& at) {
        const uint64_t before = at.reel_index < starts.size() ? starts[at.reel_index] : 0;
        const uint64_t done = total ? std::min(before + at.offset, total) : before + at.offset;
        reporter.progress(done, total, done, what, progress_place(at.fba, at.number));
    };
}

} // namespace ddr
