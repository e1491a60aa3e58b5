// The ddr program: its global options, the one command the command line names (each
// registered by its own cmd_*.cpp), and the one place where errors become messages and
// exit codes.
#include "ddr/cmd_catalog.hpp"
#include "ddr/cmd_copy.hpp"
#include "ddr/cmd_devices.hpp"
#include "ddr/cmd_dump.hpp"
#include "ddr/exit_codes.hpp"
#include "ddr/cmd_init.hpp"
#include "ddr/interrupt.hpp"
#include "ddr/cmd_list.hpp"
#include "ddr/cmd_manifest.hpp"
#include "ddr/cmd_print.hpp"
#include "ddr/report.hpp"
#include "ddr/cmd_restore.hpp"
#include "ddr/cmd_run.hpp"
#include "ddr/cmd_verify.hpp"
#include "ddr/version.hpp"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <new>
#include <optional>
#include <string>

namespace {

using namespace ddr;

constexpr const char* kExitCodeHelp =
    "Exit status: 0 ok, 2 usage, 3 input unreadable (truncated, not DDR, corrupt), 4 damaged (verification "
    "failed), 5 wrong or missing reel, 6 target refused (left untouched), 7 device type unknown or mismatched, "
    "8 write failed, 9 read failed, 10 volume not CP-formatted (CPVOL, NUCLEUS), 11 source changed while it was "
    "dumped (dump --system: some volumes did), 12 some volumes of a whole-system run failed, 130 interrupted.";

// The global options, given before or after the command's name (`ddr -q dump` and
// `ddr dump -q` alike: the subcommands fall through to them).
struct GlobalOptions {
    bool quiet = false;
    bool verbose = false;
    bool json = false;
};

Reporter::Level level_of(const GlobalOptions& g)
{
    return g.quiet ? Reporter::Level::Quiet : g.verbose ? Reporter::Level::Verbose : Reporter::Level::Normal;
}

// How a command ended: its exit code and, if it failed, the kind and the one line
// that says why (what main prints after "ddr: ").
struct Outcome {
    int exit_code = kExitOk;
    std::optional<ErrorKind> kind;
    std::string message;
};

// Runs the command's action and turns what it throws into an Outcome (an interrupt's
// exit code is 130 whatever failed with it: a signal can surface as a failed read or
// write, EINTR).
Outcome run_action(const CommandAction& action, Reporter& reporter)
{
    try {
        return {action(reporter), std::nullopt, {}};
    } catch (const Error& e) {
        if (interrupted() && e.kind() != ErrorKind::Interrupted)
            return {kExitInterrupted, ErrorKind::Interrupted, std::string("interrupted (") + e.what() + ")"};
        return {exit_code_for(e.kind()), e.kind(), e.what()};
    } catch (const std::bad_alloc&) {
        return {kExitInternal, ErrorKind::Internal, "out of memory"};
    } catch (const std::exception& e) {
        return {kExitInternal, ErrorKind::Internal, std::string("internal error: ") + e.what()};
    }
}

// The one JSON document of `--json` (man/ddr.1, JSON REPORTS): what ran, how it ended,
// its warnings, then the command's facts.
Json report_document(const std::string& command, const Outcome& outcome, const Reporter& reporter)
{
    Json doc = Json::object();
    doc["command"] = command;
    doc["ddr_version"] = kDdrVersion;
    doc["status"] = status_name(outcome.exit_code);
    doc["exit_code"] = outcome.exit_code;
    if (outcome.kind) {
        Json& error = doc["error"];
        error["kind"] = error_kind_name(*outcome.kind);
        error["message"] = outcome.message;
    }
    Json& warnings = doc["warnings"] = Json::array();
    for (const std::string& w : reporter.warnings())
        warnings.push(w);
    for (const auto& [key, value] : reporter.facts().members())
        doc[key] = value;
    return doc;
}

// With --json, the report on standard output, after anything the command printed there.
void print_report(const std::string& command, const Outcome& outcome, const Reporter& reporter)
{
    if (!reporter.json())
        return;
    std::fflush(stdout);
    const std::string text = report_document(command, outcome, reporter).dump() + "\n";
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
}

// Prints the outcome: its message on standard error, and the report.  Returns the exit code.
int finish(const std::string& command, const Outcome& outcome, Reporter& reporter)
{
    reporter.end_progress();  // a command that failed midway leaves its line shown
    if (outcome.kind)
        std::fprintf(stderr, "ddr: %s\n", outcome.message.c_str());
    print_report(command, outcome, reporter);
    return outcome.exit_code;
}

// Parses the command line and runs the one command it names; returns the exit code.
// Each command registers its own subcommand and options (cmd_*.cpp); the global ones
// are here.
int run(int argc, char** argv)
{
    CLI::App app{"ddr: dump and restore CKD and FBA volumes to and from IBM DDR tapes", "ddr"};
    app.footer(kExitCodeHelp);
    app.require_subcommand(1);
    app.fallthrough();  // inherited by every subcommand added below
    app.set_version_flag("--version", [] { return version_text(); }, "say the version and how this binary was built");
    GlobalOptions global;
    app.add_flag("-q,--quiet", global.quiet, "say nothing but warnings and errors");
    app.add_flag("-v,--verbose", global.verbose, "say more");
    app.add_flag("--json", global.json,
                 "print the command's report as one JSON document on standard output (man ddr(1), JSON REPORTS)");

    CommandAction action;
    add_dump_command(app, action);
    add_restore_command(app, action);
    add_list_command(app, action);
    add_verify_command(app, action);
    add_manifest_command(app, action);
    add_copy_command(app, action);
    add_init_command(app, action);
    add_devices_command(app, action);

    add_print_commands(app, action);
    add_run_command(app, action);
    add_catalog_command(app, action);

    try {
        app.parse(argc, argv);
    } catch (const CLI::Success& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        app.exit(e);
        Reporter reporter;
        reporter.set_json(global.json);
        print_report("", {kExitUsage, ErrorKind::Usage, e.what()}, reporter);
        return kExitUsage;
    }
    Reporter reporter(level_of(global));
    reporter.set_json(global.json);
    const std::string command = app.get_subcommands().front()->get_name();
    return finish(command, run_action(action, reporter), reporter);
}

} // namespace

// Runs the command line: an error of the command becomes one line "ddr: ..." on standard
// error and the exit code of its kind (and, with --json, the report on standard output).
int main(int argc, char** argv)
{
    ddr::install_interrupt_handlers();
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        // Only the parsing and the printing of the report are left to fail here.
        std::fprintf(stderr, "ddr: internal error: %s\n", e.what());
        return ddr::kExitInternal;
    }
}
