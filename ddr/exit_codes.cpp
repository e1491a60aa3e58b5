#include "ddr/exit_codes.hpp"

namespace ddr {

int exit_code_for(ErrorKind kind)
{
    switch (kind) {
    case ErrorKind::Usage: return kExitUsage;
    case ErrorKind::Unreadable: return kExitUnreadable;
    case ErrorKind::Damaged: return kExitDamaged;
    case ErrorKind::Reel: return kExitReel;
    case ErrorKind::Refused: return kExitRefused;
    case ErrorKind::Device: return kExitDevice;
    case ErrorKind::WriteFailed: return kExitWrite;
    case ErrorKind::ReadFailed: return kExitRead;
    case ErrorKind::NotCpVolume: return kExitNotCpVolume;
    case ErrorKind::Interrupted: return kExitInterrupted;
    case ErrorKind::Internal: return kExitInternal;
    }
    return kExitInternal;
}

const char* error_kind_name(ErrorKind kind)
{
    switch (kind) {
    case ErrorKind::Usage: return "usage";
    case ErrorKind::Unreadable: return "unreadable";
    case ErrorKind::Damaged: return "damaged";
    case ErrorKind::Reel: return "reel";
    case ErrorKind::Refused: return "refused";
    case ErrorKind::Device: return "device";
    case ErrorKind::WriteFailed: return "write_failed";
    case ErrorKind::ReadFailed: return "read_failed";
    case ErrorKind::NotCpVolume: return "not_cp_volume";
    case ErrorKind::Interrupted: return "interrupted";
    case ErrorKind::Internal: return "internal";
    }
    return "internal";
}

const char* status_name(int exit_code)
{
    switch (exit_code) {
    case kExitOk: return "ok";
    case kExitDamaged: return "damaged";
    case kExitInterrupted: return "interrupted";
    default: return "error";
    }
}

} // namespace ddr
