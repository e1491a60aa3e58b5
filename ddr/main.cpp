// The ddr command line: subcommands, their options, and the one place where errors
// become messages and exit codes.
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
#include "ddr/size_arg.hpp"
#include "ddr/cmd_verify.hpp"
#include "ddr/version.hpp"

#include <CLI/CLI.hpp>

#include <cctype>
#include <cstdio>
#include <functional>
#include <new>

namespace {

using namespace ddr;

const char* kExitCodeHelp =
    "Exit status: 0 ok, 2 usage, 3 input unreadable (truncated, not DDR, corrupt), 4 damaged (verification "
    "failed), 5 wrong or missing reel, 6 target refused (left untouched), 7 device type unknown or mismatched, "
    "8 write failed, 9 read failed, 10 volume not CP-formatted (CPVOL, NUCLEUS), 130 interrupted.";

struct TapeFormatArgs {
    std::string format;  // empty: not given
    bool overwrite = false;
    bool append = false;

    void add_to(CLI::App* cmd)
    {
        cmd->add_option("--format", format,
                        "tape container to write: aws (default) or het; --append keeps the tape's own")
            ->check(CLI::IsMember({"aws", "het"}, CLI::ignore_case));
        cmd->add_flag("--overwrite", overwrite, "replace existing tape files (never anything that is not a tape)");
        cmd->add_flag("--append", append,
                      "add this dump after the dumps already on the first tape (IBM: SKIP n and LEAVE)");
    }
    TapeWriterOptions options() const
    {
        TapeWriterOptions o;
        o.format = format == "het" || format == "HET" ? "HET" : "AWS";
        o.compression = o.format == "HET" ? 1 : 0;
        o.overwrite = overwrite;
        o.append = append;
        return o;
    }
};

// Volsers are upper case on the volume (EBCDIC), as IBM's DDR reads every statement:
// "vmpk01" means VMPK01 wherever a volser is given.
std::string upper_case(std::string text)
{
    for (char& c : text)
        c = char(std::toupper(static_cast<unsigned char>(c)));
    return text;
}

int run(int argc, char** argv)
{
    CLI::App app{"ddr: dump and restore CKD and FBA volumes to and from IBM DDR tapes", "ddr"};
    app.footer(kExitCodeHelp);
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string("ddr ") + kDdrVersion);
    bool quiet = false, verbose = false;
    app.add_flag("-q,--quiet", quiet, "say nothing but warnings and errors");
    app.add_flag("-v,--verbose", verbose, "say more");

    std::function<int(Reporter&)> action;

    // ---- dump ----
    DumpOptions dump;
    std::vector<std::string> dump_args;
    std::string reel_size, eot_margin;
    TapeFormatArgs dump_format;
    auto* cmd_dump = app.add_subcommand("dump", "dump a volume image to DDR tape (IBM DUMP)");
    cmd_dump->add_option("SOURCE", dump.source, "the volume image")->required();
    cmd_dump->add_option("TAPE", dump.tapes, "tape file(s): successive reels; - for standard output")->required();
    cmd_dump->add_option("-c,--cylinders", dump.extents,
                         "cylinders A, A-B, or A-B:C (dump A-B as C onward, IBM REORDER); repeat for up to 20 "
                         "extents; default: all primary cylinders (IBM DUMP ALL)")
        ->delimiter(',');
    cmd_dump->add_option("-b,--blocks", dump.blocks,
                         "FBA: blocks A, A-B or A-B:C (REORDER to block C); default all")
        ->delimiter(',');
    cmd_dump->add_option("--reorder", dump.reorder, "write the single extent as starting at this cylinder (FBA: block)");
    cmd_dump->add_option("--devtype", dump.devtype, "device type and model, where the image cannot tell (3330-11)");
    cmd_dump->add_option("--volser", dump.volser, "the volume's volser (checked against its label; used if it has none)")
        ->transform(upper_case);
    cmd_dump->add_option("--reel-size", reel_size,
                         "bytes per reel, or a cartridge type (3480, 3490E, 3592-E08-JC); a comma list gives each "
                         "reel its own size, the last repeating; 0 = no limit");
    cmd_dump->add_option("--eot-margin", eot_margin, "bytes before the end of a reel where its end is signalled");
    cmd_dump->add_flag("--pure", dump.pure, "write exactly what IBM DDR writes: no checksum trailer");
    cmd_dump->add_option("--manifest", dump.manifest, "also write the volume's manifest (checksum sidecar) to FILE");
    cmd_dump->add_flag("--cpvol", dump.cpvol,
                       "IBM DUMP CPVOL: cylinder 0 and the PERM and in-use directory cylinders of a CP-formatted volume");
    cmd_dump->add_flag("--nucleus", dump.nucleus, "IBM DUMP NUCLEUS: the CP checkpoint record and the nucleus cylinders");
    dump_format.add_to(cmd_dump);
    cmd_dump->callback([&] {
        for (size_t start = 0; !reel_size.empty() && start <= reel_size.size();) {
            size_t comma = reel_size.find(',', start);
            if (comma == std::string::npos)
                comma = reel_size.size();
            dump.reel_sizes.push_back(parse_size(reel_size.substr(start, comma - start), true));
            start = comma + 1;
        }
        if (!eot_margin.empty())
            dump.eot_margin = parse_size(eot_margin, false);
        dump.tape = dump_format.options();
        dump.tape_format_given = !dump_format.format.empty();
        action = [&](Reporter& r) { return run_dump(dump, r); };
    });

    // ---- restore ----
    RestoreOptions restore;
    std::vector<std::string> restore_args;
    bool no_precheck = false;
    auto* cmd_restore = app.add_subcommand("restore", "restore a DDR dump onto a volume image (IBM RESTORE)");
    cmd_restore->add_option("TAPE_TARGET", restore_args, "tape file(s) (successive reels; - for standard input), then "
                                                         "the target image")
        ->required()
        ->expected(2, -1);
    cmd_restore->add_option("--file", restore.file, "restore the Nth dump on the tape (IBM SKIP N-1); default 1");
    cmd_restore->add_option("-c,--cylinders", restore.extents,
                            "tape cylinders to restore: A, A-B or A-B:C (to C onward); default all")
        ->delimiter(',');
    cmd_restore->add_option("-b,--blocks", restore.blocks, "FBA: tape blocks to restore: A, A-B or A-B:C")
        ->delimiter(',');
    cmd_restore->add_option("--reorder", restore.reorder, "restore the single extent starting at this cylinder (FBA: block)");
    cmd_restore->add_option("--devtype", restore.devtype, "device type of the dump, where its VHR fits several");
    cmd_restore->add_option("--volser", restore.volser,
                            "the target's volser: confirms writing a target whose volser differs from the dump's")
        ->transform(upper_case);
    cmd_restore->add_flag("--force", restore.force, "write the target whatever its volser");
    cmd_restore->add_flag("--nucleus", restore.nucleus,
                          "IBM RESTORE NUCLEUS: a NUCLEUS dump onto a CP-formatted volume, rewriting its IPL and "
                          "checkpoint records");
    cmd_restore->add_option("--format", restore.format,
                            "a new target's container: ckd (default), cckd or cckd64; FBA: fba (default) or cfba")
        ->check(CLI::IsMember({"ckd", "cckd", "cckd64", "fba", "cfba"}));
    cmd_restore->add_flag("--continue", restore.keep_going,
                          "restore past tracks whose checksums do not match, list them, exit 4");
    cmd_restore->add_flag("--no-precheck", no_precheck,
                          "do not read the dump through once before writing onto an existing target");
    cmd_restore->callback([&] {
        restore.target = restore_args.back();
        restore.tapes.assign(restore_args.begin(), restore_args.end() - 1);
        restore.precheck = !no_precheck;
        action = [&](Reporter& r) { return run_restore(restore, r); };
    });

    // ---- list ----
    ListOptions list;
    auto* cmd_list = app.add_subcommand("list", "list the dumps on a tape");
    cmd_list->add_option("TAPE", list.tapes, "tape file(s): successive reels")->required();
    cmd_list->callback([&] { action = [&](Reporter& r) { return run_list(list, r); }; });

    // ---- verify ----
    VerifyOptions verify;
    auto* cmd_verify = app.add_subcommand("verify", "prove a tape (or a volume) intact: structure and checksums");
    cmd_verify->add_option("INPUT", verify.inputs, "tape file(s) (successive reels), or one volume with --manifest")
        ->required();
    cmd_verify->add_option("--against", verify.against, "also compare every dumped track with this volume");
    cmd_verify->add_option("--manifest", verify.manifest, "compare with this manifest");
    cmd_verify->add_option("--file", verify.file, "with --against/--manifest: the Nth dump on the tape (default 1)");
    cmd_verify->add_option("-c,--cylinders", verify.extents,
                           "with --against/--manifest on a tape without checksums: how it was REORDERed (A-B:C)")
        ->delimiter(',');
    cmd_verify->add_flag("-a,--all", verify.all, "list every problem, not the first 20");
    cmd_verify->callback([&] { action = [&](Reporter& r) { return run_verify(verify, r); }; });

    // ---- manifest ----
    ManifestOptions manifest;
    auto* cmd_manifest = app.add_subcommand("manifest", "write the checksum manifest of a volume or a dump");
    cmd_manifest->add_option("INPUT", manifest.inputs, "one volume, or the reels of a tape")->required();
    cmd_manifest->add_option("-o,--output", manifest.output, "the manifest file (default: standard output)");
    cmd_manifest->add_option("--file", manifest.file, "the Nth dump on the tape (default 1)");
    cmd_manifest->add_option("-c,--cylinders", manifest.extents, "volume: only these cylinders (A-B)")->delimiter(',');
    cmd_manifest->callback([&] { action = [&](Reporter& r) { return run_manifest(manifest, r); }; });

    // ---- copy ----
    CopyOptions copy;
    bool no_compare = false;
    auto* cmd_copy = app.add_subcommand("copy", "the same volume or tape in another container (CKD/CCKD, FBA/CFBA, AWS/HET)");
    cmd_copy->add_option("SOURCE", copy.source, "a volume image or tape")->required();
    cmd_copy->add_option("TARGET", copy.target, "the copy (must not exist)")->required();
    cmd_copy->add_option("--to", copy.to, "ckd, cckd, cckd64, eav, fba, cfba, aws or het (default: the other kind)")
        ->check(CLI::IsMember({"ckd", "cckd", "cckd64", "eav", "fba", "cfba", "aws", "het"}, CLI::ignore_case));
    cmd_copy->add_option("--compress", copy.compress, "zlib (default), bzip2 or none");
    cmd_copy->add_flag("--overwrite", copy.overwrite, "replace an existing tape file");
    cmd_copy->add_flag("--no-compare", no_compare, "do not read the copy back and compare");
    cmd_copy->add_option("-c,--cylinders", copy.extents,
                         "IBM COPY: cylinders (FBA: blocks) A, A-B or A-B:C (REORDER to C onward, volumes only)")
        ->delimiter(',');
    cmd_copy->add_option("--reorder", copy.reorder, "IBM COPY: write the single extent as starting at this cylinder");
    cmd_copy->add_option("--volser", copy.volser, "IBM COPY: the existing target's volser (confirms writing it)")
        ->transform(upper_case);
    cmd_copy->add_flag("--force", copy.force, "IBM COPY: write the existing target whatever its volser");
    cmd_copy->add_flag("--smaller-target", copy.smaller_target,
                       "IBM COPY: copy onto a target with fewer cylinders than the source (IBM's 725R answered YES)");
    cmd_copy->add_option("--file", copy.file, "tape copy: the Nth dump of the tape (IBM SKIP N-1)");
    cmd_copy->add_flag("--checksums", copy.checksums, "tape copy: add a checksum trailer to a dump without one");
    cmd_copy->add_flag("--pure", copy.pure, "tape copy: write no checksum trailer (IBM-identical)");
    cmd_copy->callback([&] {
        copy.compare = !no_compare;
        action = [&](Reporter& r) { return run_copy(copy, r); };
    });

    // ---- init ----
    InitOptions init;
    auto* cmd_init = app.add_subcommand("init", "make an empty formatted volume image (like dasdinit)");
    cmd_init->add_option("TARGET", init.target, "the image to create")->required();
    cmd_init->add_option("DEVTYPE", init.devtype, "device type and model, e.g. 3390-3, or an FBA type: 3370, 9336, FB-512")->required();
    cmd_init->add_option("VOLSER", init.volser, "volume serial, 1-6 characters")->required()->transform(upper_case);
    cmd_init->add_option("--cylinders", init.cylinders, "cylinders (default: the model's primary cylinders)");
    cmd_init->add_flag("-a,--alternates", init.alternates, "add the model's alternate cylinders");
    cmd_init->add_option("--blocks", init.blocks, "FBA: blocks (default: the model's)");
    cmd_init->add_option("--format", init.format,
                         "container: ckd (default), cckd or cckd64 (a 3390-A is always CKD_E064); FBA: fba or cfba")
        ->check(CLI::IsMember({"ckd", "cckd", "cckd64", "fba", "cfba"}));
    cmd_init->callback([&] { action = [&](Reporter& r) { return run_init(init, r); }; });

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
