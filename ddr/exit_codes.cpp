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

} // namespace ddr
