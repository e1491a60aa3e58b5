// Units: what a dump reads from a volume and a restore writes back, CKD or FBA alike.
//
// A unit is a CKD track, or an FBA group of up to 120 blocks aligned on multiples of 120
// source blocks (so a volume's manifest and any dump of it hash the same groups).  Its
// address is 32 bits: a track's CCHH (EAV form on an EAV device), a group's first block.
// Extents count cylinders for tracks and blocks for groups; ExtentMap is the one place
// that maps an address through them.  VolumeUnits reads a volume as units and makes each
// the THR or FBG group it becomes on tape; UnitSink writes units back.  The commands
// (dump, restore, verify, copy, manifest) run one path over these for both kinds.
#pragma once

#include "formats/ddrtape/extents.hpp"
#include "formats/ddrtape/fbg_group.hpp"
#include "formats/ddrtape/thr_group.hpp"
#include "formats/io/error.hpp"
#include "formats/volume/volume.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace ddr {

enum class UnitKind {
    Track,       // a CKD track: one THR group
    BlockGroup,  // FBA blocks: one FBG group
};

// One unit of a volume: where it starts and, for a block group, how many blocks it has.
struct Unit {
    uint32_t address = 0;  // CCHH, or the first block
    uint32_t count = 1;    // FBA blocks in the group; 1 for a track

    friend bool operator==(const Unit&, const Unit&) = default;
};

// How a volume's units are addressed.
struct UnitGeometry {
    UnitKind kind = UnitKind::Track;
    uint32_t heads = 0;     // tracks: heads per cylinder
    bool eav_form = false;  // tracks: CCHH in EAV form (15-head devices)

    bool fba() const { return kind == UnitKind::BlockGroup; }
    // The number an extent counts in: a CCHH's cylinder, or the block itself.
    uint64_t key_of(uint32_t address) const;
    // `address` moved to `key` (a track keeps its head).
    uint32_t with_key(uint32_t address, uint64_t key) const;
    // A number that orders units as DDR writes them: cylinder, then head; or the block.
    uint64_t order_of(uint32_t address) const;
    // "cyl 12 head 3", "block 240": for messages.
    std::string describe(uint32_t address) const;
    // "cyl 12 head 3", "blocks 240-359": a whole unit, for messages.
    std::string describe_unit(Unit u) const;
    // A place naming the unit at `address` (cylinder and head, or FBA block).
    Place place(const std::string& file, uint32_t address) const;
    // Every unit of `extents` (in cylinders or blocks), in order: a UnitCursor's walk.
    void for_each_unit(const std::vector<Extent>& extents, const std::function<void(Unit)>& fn) const;
    // How many units `extents` hold.
    uint64_t count_units(const std::vector<Extent>& extents) const;
};

// The units of `extents` one at a time, in the order DDR writes them: cylinder by cylinder,
// head by head; or FBA groups broken at every multiple of 120 source blocks, whatever the
// extent.  The one walk over extents: for_each_unit pushes it, the dump's read-ahead thread
// pulls it.  A geometry of tracks with no heads has no units.
class UnitCursor {
public:
    UnitCursor(std::vector<Extent> extents, UnitGeometry geometry);
    // The next unit, or none once every extent is done (and on every call after).
    std::optional<Unit> next();

private:
    std::vector<Extent> extents_;
    UnitGeometry geometry_;
    size_t extent_ = 0;  // the extent being walked
    uint64_t key_ = 0;   // its next cylinder or block
    uint32_t head_ = 0;  // tracks: the next head of that cylinder
};

// The one extent map: an address through the extents (REORDER), in either direction.
// With no extents every address maps to itself.
class ExtentMap {
public:
    ExtentMap() = default;
    ExtentMap(std::vector<Extent> extents, UnitGeometry geometry) : extents_(std::move(extents)), geometry_(geometry) {}

    bool empty() const { return extents_.empty(); }
    const std::vector<Extent>& extents() const { return extents_; }
    const UnitGeometry& geometry() const { return geometry_; }

    // Where a source address is written (unchanged outside every extent).
    uint32_t output_of(uint32_t source) const;
    // The source of an output address (unchanged outside every extent).
    uint32_t source_of(uint32_t output) const;
    // The extent whose source side holds `address`, if one does.
    std::optional<size_t> extent_of(uint32_t address) const;

private:
    std::vector<Extent> extents_;
    UnitGeometry geometry_;
};

// A restore's extents: which units of the tape go where, and the check that every unit
// they name was on the tape (IBM's DMKDDR714E).  Extents name tape (output) addresses.
class RestoreSelection {
public:
    RestoreSelection(std::vector<Extent> extents, UnitGeometry geometry);

    // A run of units of one group to write: from tape address `tape`, `count` units (blocks
    // or 1 track) at `target`, `skip` units into the group.
    struct Piece {
        uint32_t tape = 0;
        uint32_t target = 0;
        uint32_t skip = 0;
        uint32_t count = 0;
    };
    // The pieces of the group at tape address `first` holding `count` units (a block group
    // may straddle two extents); none if no extent selects it.
    std::vector<Piece> select(uint32_t first, uint32_t count);
    // Error(Usage) naming the first unit an extent asked for that no group brought.
    void check_complete(const std::string& tape_name) const;
    // Error(Usage), before anything is written, if an extent names units outside `dumped`
    // (the dump's runs of cylinders or blocks, ascending).
    void check_on_tape(const std::vector<std::pair<uint32_t, uint32_t>>& dumped, const std::string& tape_name) const;
    // The highest target cylinder or block the extents write, if any were given.
    std::optional<uint64_t> highest_target() const;
    bool empty() const { return map_.empty(); }

private:
    ExtentMap map_;
    std::vector<std::vector<bool>> seen_;  // per extent, per unit (tracks) or block
};

// A THR or FBG group made from a unit: its tape blocks and logical image.  The spans stay
// valid until the next encode.
struct EncodedGroup {
    std::span<const ByteSpan> blocks;
    size_t image_length = 0;
    uint16_t cc = 0, hh = 0;  // the output address as the VHR/EOJ/EOV fields hold it
    uint64_t data_bytes = 0;  // track image bytes, or FBA bytes, for progress
};

// A volume read as units.
class VolumeUnits {
public:
    virtual ~VolumeUnits() = default;
    virtual const UnitGeometry& geometry() const = 0;
    // Reads unit `u` and encodes it as the group written at `output`.  Errors name the
    // volume and the unit.
    virtual const EncodedGroup& encode(Unit u, uint32_t output) = 0;
    // The unit's bytes as the volume holds them (a track image, or the blocks).
    virtual ByteSpan read(Unit u) = 0;
    // The content hash the trailer and the manifest record for unit `u` (its group's,
    // whatever address it is written at).
    uint64_t content_hash(Unit u);
    // True if the volume has every track or block of `u`.
    virtual bool contains(Unit u) const = 0;
    // The units of `extents` are about to be asked for (encode or read), in order, each
    // once: a CKD volume reads its tracks ahead on a second thread (track_read_ahead.hpp).
    // Asking for another unit ends the read-ahead, as does read_ahead({}); until it ends,
    // the volume must be used only through this object.  Errors are those of reading
    // each unit when it is asked for.
    virtual void read_ahead(const std::vector<Extent>& extents) { (void)extents; }
};

std::unique_ptr<VolumeUnits> units_of(CkdVolumeReader& volume, const std::string& name);
std::unique_ptr<VolumeUnits> units_of(FbaVolumeReader& volume, const std::string& name);

// A volume opened for reading as units, with `options` (its shadow files, ...): `kind`
// says which kind it must be (a CKD volume given for an FBA one is Error(Device), as
// open_ckd_volume/open_fba_volume say).
struct OpenedVolume {
    std::unique_ptr<CkdVolumeReader> ckd;  // one of the two
    std::unique_ptr<FbaVolumeReader> fba;
    std::unique_ptr<VolumeUnits> units;
};
OpenedVolume open_volume_units(const std::string& path, UnitKind kind, const VolumeOpenOptions& options = {});

// A volume written unit by unit.
class UnitSink {
public:
    virtual ~UnitSink() = default;
    // Writes `count` FBA blocks (or 1 track) at `target` from `bytes` (whole blocks, or
    // a track image from HA to end marker).  `bytes` is lent, not copied: it holds the
    // same bytes again when the call returns.  A unit past the target's end is
    // Error(Refused) at `where`.
    virtual void write(uint32_t target, uint32_t count, Bytes& bytes, const Place& where) = 0;
};

// `name` is the target as the user named it, for messages.
std::unique_ptr<UnitSink> sink_of(CkdVolumeWriter& volume, const std::string& name);
std::unique_ptr<UnitSink> sink_of(FbaVolumeWriter& volume, const std::string& name);
// A sink that writes nothing: it reads each unit back from `volume` and fails with
// Error(Refused) at `where` unless the volume holds exactly the unit's bytes (restore
// --resume, proving the units an interrupted run wrote).
std::unique_ptr<UnitSink> checking_sink_of(CkdVolumeReader& volume);
std::unique_ptr<UnitSink> checking_sink_of(FbaVolumeReader& volume);

} // namespace ddr
