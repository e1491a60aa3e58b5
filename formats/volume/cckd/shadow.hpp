// Hercules shadow files: a compressed base image (CCKD or CFBA) read together with the
// shadow files Hercules writes its changes to (ddrimage(5), "Shadow files").
//
// Hercules names shadow file n (1 to 8) by writing the digit n over one character of its
// sf= name: the character just before the dot that starts the file's extension, or the
// last character when the name has no dot.  Hercules 3.x takes the first dot of the file
// name, SDL Hyperion (4.x) the last; they differ only for names with more than one dot.
// A '*' is the customary character at that place (sf=shadow_*.cckd: shadow_1.cckd, ...)
// but nothing in Hercules treats it specially: sf=shadow.cckd gives shado1.cckd.
//
// The chain is the base and shadow files 1, 2, ... up to the first number whose file
// does not exist.  A track (or block group) is read from the highest file that holds
// it: a file whose L1 entry or L2 entry is all ones does not hold it, and the search
// goes on below; anything else (a stored image, a null entry, an L1 entry of 0) is the
// answer.  The chain is read only: Hercules' own chain is never written here.
#pragma once

#include "formats/volume/cckd/container.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ddr::cckd {

inline constexpr unsigned kMaxShadowFiles = 8;

// Which dot of the file name the shadow number goes before.
enum class ShadowNaming : uint8_t {
    FirstDot,  // Hercules 3.x
    LastDot,   // SDL Hyperion 4.x
};

// The name of shadow file `n` (1..kMaxShadowFiles) for the sf= value `sf`, as Hercules
// builds it (one leading double quote is dropped, as Hercules does).  Pure: no file is
// looked at.  Error(Usage) if `sf` leaves no character to put the number in (empty, or
// the file name part starts with the dot).
std::string shadow_file_name(const std::string& sf, unsigned n, ShadowNaming naming);

// The naming to use for `sf` on this file system: FirstDot unless the two rules give
// different names and only the LastDot name of shadow file 1 exists; Error(Usage) if
// both exist (two different chains).
ShadowNaming shadow_naming_for(const std::string& sf);

// The shadow files Hercules finds for `sf`: shadow 1 upward while they exist (at most 8).
std::vector<std::string> find_shadow_files(const std::string& sf);

// A base image and its shadow files, opened read only.
class Chain {
public:
    // Opens `base` (role Base) and, if `sf` is given, every shadow file Hercules would
    // find for it.  Errors (Error(Unreadable) naming the file): a shadow file that is
    // not a shadow of the base's kind and width, or whose geometry (device type, heads,
    // track size, cylinders or sectors) differs from the base's; a base that is
    // CKD_E064 (ddr's EAV container, which Hercules never shadows).
    Chain(const std::string& base, const std::optional<std::string>& sf);

    const Container& base() const { return *files_.front(); }
    // Base first, then shadow files 1, 2, ...
    const std::vector<std::unique_ptr<Container>>& files() const { return files_; }
    // The name of shadow file 1 when `sf` was given but found no file, for the caller's note.
    const std::optional<std::string>& missing_first_shadow() const { return missing_first_; }

    struct Found {
        const Container* file = nullptr;  // the file holding the unit
        Container::Slot slot;             // never absent
        Place where;                      // the caller's place, in that file
    };
    // Where unit `unit` reads from, searching from the highest file down.  Errors name
    // the file whose entry is bad (`where` with its file replaced).
    Found locate(uint64_t unit, const Place& where);

private:
    void add_shadow(const std::string& name);

    std::vector<std::unique_ptr<Container>> files_;
    std::optional<std::string> missing_first_;
};

// Sets `files` to the chain's file names (base first), `bytes` to their total size and
// `missing_shadow` to missing_first_shadow(): what a volume's info says of its files.
void chain_files(const Chain& chain, std::vector<std::string>& files, uint64_t& bytes,
                 std::optional<std::string>& missing_shadow);

} // namespace ddr::cckd
