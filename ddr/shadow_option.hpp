// --sf NAME: Hercules' sf= name, on every command that reads a volume image.  The volume
// is then read as Hercules reads the device: the compressed base image with the shadow
// files that name finds (formats/volume/cckd/shadow.hpp).
#pragma once

#include "ddr/report.hpp"
#include "formats/volume/volume.hpp"

#include <optional>
#include <string>

namespace CLI {
class App;
}

namespace ddr {

// Registers --sf on `cmd`, storing into `sf`.
void add_shadow_option(CLI::App& cmd, std::optional<std::string>& sf);

// The options a command opens its input volume with.
inline VolumeOpenOptions input_volume(const std::optional<std::string>& sf) { return VolumeOpenOptions{false, sf}; }

// Error(Usage) if `sf` is given for `input`, a tape.
void refuse_shadow_option_for_tape(const std::optional<std::string>& sf, const std::string& input);

// Says, as a note, that --sf found no shadow file and the base is read alone (as
// Hercules does); nothing when `missing` is nullopt.
void note_missing_shadow(const std::optional<std::string>& missing, const std::string& base, const Reporter& reporter);

} // namespace ddr
