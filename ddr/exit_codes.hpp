// The exit status of every ddr command, one per kind of outcome (documented in man/ddr.1).
#pragma once

#include "formats/io/error.hpp"

namespace ddr {

enum ExitCode : int {
    kExitOk = 0,
    kExitInternal = 1,     // a bug in ddr
    kExitUsage = 2,        // bad command line or control statement
    kExitUnreadable = 3,   // an input is not what it claims: truncated, not DDR, corrupt
    kExitDamaged = 4,      // verification found a difference or a bad checksum
    kExitReel = 5,         // reel missing, out of order, or from another dump
    kExitRefused = 6,      // the target was left untouched: volser, size, already exists
    kExitDevice = 7,       // unknown or mismatched device type
    kExitWrite = 8,        // writing the output failed (disk full, I/O error)
    kExitRead = 9,         // the operating system failed to read an input
    kExitNotCpVolume = 10, // CPVOL/NUCLEUS: a volume is not CP-formatted (IBM's 700E/722E/723E)
    kExitSourceChanged = 11, // dump: the tapes are complete, but the source changed while it was read
                             // (dump --system: some volumes did, none failed)
    kExitSomeFailed = 12,    // a whole-system run: some volumes failed (the others were done)
    kExitInterrupted = 130,
};

int exit_code_for(ErrorKind kind);

// The names a JSON report gives (man/ddr.1, JSON REPORTS): an error's kind ("usage",
// "unreadable", "damaged", ...), and the status an exit code stands for: "ok",
// "damaged" (4: read to the end, found wrong), "interrupted" (130), else "error".
const char* error_kind_name(ErrorKind kind);
const char* status_name(int exit_code);

} // namespace ddr
