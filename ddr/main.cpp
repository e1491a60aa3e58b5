// The ddr program: its global options, the one command the command line names (each
// registered by its own cmd_*.cpp), and the one place where errors become messages and
// exit codes.
#include "ddr/cmd_copy.hpp"
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

namespace {

using namespace ddr;

constexpr const char* kExitCodeHelp =
    "Exit status: 0 ok, 2 usage, 3 input unreadable (truncated, not DDR, corrupt), 4 damaged (verification "
    "failed), 5 wrong or missing reel, 6 target refused (left untouched), 7 device type unknown or mismatched, "
    "8 write failed, 9 read failed, 10 volume not CP-formatted (CPVOL, NUCLEUS), 11 source changed while it was "
    "dumped, 130 interrupted.";

// Parses the command line and runs the one command it names; returns the exit code.
// Each command registers its own subcommand and options (cmd_*.cpp); the global ones
// are here.  Errors of the command are thrown as ddr::Error, for main.
int run(int argc, char** argv)
{
    CLI::App app{"ddr: dump and restore CKD and FBA volumes to and from IBM DDR tapes", "ddr"};
    app.footer(kExitCodeHelp);
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string("ddr ") + kDdrVersion);
    bool quiet = false, verbose = false;
    app.add_flag("-q,--quiet", quiet, "say nothing but warnings and errors");
    app.add_flag("-v,--verbose", verbose, "say more");

    CommandAction action;
    add_dump_command(app, action);
    add_restore_command(app, action);
    add_list_command(app, action);
    add_verify_command(app, action);
    add_manifest_command(app, action);
    add_copy_command(app, action);
    add_init_command(app, action);

    add_print_commands(app, action);
    add_run_command(app, action);

    try {
        app.parse(argc, argv);
    } catch (const CLI::Success& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        app.exit(e);
        return kExitUsage;
    }
    Reporter reporter(quiet ? Reporter::Level::Quiet : verbose ? Reporter::Level::Verbose : Reporter::Level::Normal);
    return action(reporter);
}

} // namespace

// Runs the command line; an error of the command becomes one line "ddr: ..." on standard
// error and the exit code of its kind (an interrupt's is 130 whatever failed with it).
int main(int argc, char** argv)
{
    ddr::install_interrupt_handlers();
    try {
        return run(argc, argv);
    } catch (const ddr::Error& e) {
        // A signal can surface as a failed read or write (EINTR); it is still an interrupt.
        if (ddr::interrupted() && e.kind() != ddr::ErrorKind::Interrupted) {
            std::fprintf(stderr, "ddr: interrupted (%s)\n", e.what());
            return ddr::kExitInterrupted;
        }
        std::fprintf(stderr, "ddr: %s\n", e.what());
        return ddr::exit_code_for(e.kind());
    } catch (const std::bad_alloc&) {
        std::fprintf(stderr, "ddr: out of memory\n");
        return ddr::kExitInternal;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "ddr: internal error: %s\n", e.what());
        return ddr::kExitInternal;
    }
}
