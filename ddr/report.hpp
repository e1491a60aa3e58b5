// Everything a command says, through one Reporter: its messages while it runs on
// standard error, because standard output may be carrying a tape ("-"); its listing (what
// list, verify and the like answer) on standard output; and its facts (a JSON object: what
// `--json` prints, and what a run's catalog keeps of each volume).
//
// A Reporter made with for_job() belongs to one job of a larger run (a volume of
// `ddr dump --system`, run beside others on threads of their own): it prints nothing, keeps
// its messages for the run's report, and hands its progress to the run.  A Reporter is
// used by one thread at a time.
#pragma once

#include "formats/io/json.hpp"
#include "formats/io/wording.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace ddr {

struct UnitGeometry;

// Where a long command is, for its progress line: "cyl 1234", "block 96000", "reel 2".
struct ProgressPlace {
    const char* unit = nullptr;  // none: the line names no place
    uint64_t number = 0;
};
// The place of unit `address` of a volume: its cylinder (CKD) or its first block (FBA).
ProgressPlace progress_place(const UnitGeometry& geometry, uint32_t address);
// The place "cyl N" (CKD) or "block N" (FBA).
ProgressPlace progress_place(bool fba, uint64_t cylinder_or_block);

class Reporter {
public:
    enum class Level { Quiet, Normal, Verbose };
    // How far a job has come: units done of total, data bytes so far.
    using ProgressObserver = std::function<void(uint64_t done, uint64_t total, uint64_t bytes)>;

    Reporter(Level level = Level::Normal);
    // A reporter for one job among several: silent, its notes and warnings kept in
    // messages(), its progress passed to `observer` (if any) at every call.
    static Reporter for_job(ProgressObserver observer = {});

    void note(const std::string& line) const;     // informational; silent when quiet
    void detail(const std::string& line) const;   // only when verbose
    void warn(const std::string& line) const;     // always shown

    // A line of the command's listing, on standard output at every level: it is the
    // answer the command was asked for, not a message about its work.
    void listing(const std::string& line) const;
    // Sends the listing out now, so that it stands before an error message that follows.
    void end_listing() const;

    // A progress line on a terminal, rewritten in place at most four times a second:
    // "dump  cyl 1234   37%  1.1 GB  412 MB/s  ETA 0:00:12" (`done` of `total` units, 0 if
    // not known: then no percent and no ETA; `bytes` for the rate).  Nothing on a pipe or
    // when quiet.
    void progress(uint64_t done, uint64_t total, uint64_t bytes, const std::string& what, ProgressPlace place = {});
    void end_progress();

    Level level() const { return level_; }

    // JSON mode (`--json`): the facts are the answer, printed by main when the command
    // ends; listing lines are then not printed (the facts must hold what they said).
    void set_json(bool on) { json_ = on; }
    bool json() const { return json_; }

    // The command's report: what it did, as named values (see each command for its keys).
    Json& facts() { return facts_; }
    const Json& facts() const { return facts_; }
    // Every warning given so far, and (for a job) every note: for the report.
    const std::vector<std::string>& warnings() const { return warnings_; }
    const std::vector<std::string>& messages() const { return messages_; }

private:
    Level level_;
    bool job_ = false;
    bool json_ = false;
    ProgressObserver observer_;
    Json facts_ = Json::object();
    mutable std::vector<std::string> warnings_;
    mutable std::vector<std::string> messages_;
    bool tty_;
    bool progress_shown_ = false;
    std::chrono::steady_clock::time_point start_;
    std::chrono::steady_clock::time_point last_;
};

// "1.6 MB", "55.9 GB": decimal units, as tape and disk capacities are quoted.
std::string human_bytes(uint64_t bytes);


} // namespace ddr
