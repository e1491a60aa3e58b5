// Hercules plain CKD images ("CKD_P370", and SDL's "CKD_P064", which has the same layout):
// a 512-byte device header, then one fixed-size slot per track (ddrimage(5)
// section 3).  A volume may be split over up to 27 files ("vol_1.3390", "vol_2.3390", ...), each
// with its own header.
//
// CkdImageReader reads such a volume; CkdImageWriter creates one (built under temporary
// names, renamed into place by commit()) or rewrites tracks of an existing one in place.
//
// An update marks the image busy first (busy_image.hpp): file 1 is renamed
// NAME.ddr-busy, then its magic becomes "DDR_BUSY" with the real magic kept in the last 8
// bytes of the header and, before them, the RestoreRecord (bytes 456-503), all synced
// before any track is written.  Hercules finds no NAME, and refuses NAME.ddr-busy ("CKD
// header invalid"); our reader says the restore did not finish, until commit() has
// synced the tracks, put the original header back and renamed the file.  Running the
// update again on a busy image is allowed: that is how an interrupted restore is redone.
#pragma once

#include "formats/volume/busy_image.hpp"
#include "formats/volume/device_header.hpp"
#include "formats/io/file.hpp"
#include "formats/io/write_behind.hpp"
#include "formats/volume/volume.hpp"

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ddr {

inline constexpr unsigned kCkdMaxFiles = 27;
// The largest volume a plain CKD image can describe: Hercules keeps cylinder numbers in
// 16 bits (CC of the home address, highcyl of the header), so cylinders 0..65535.
inline constexpr uint32_t kCkdMaxCylinders = 65536;
// Written over the first file's magic while a ddr restore updates the image in place.
inline constexpr char kCkdBusyMagic[] = "DDR_BUSY";

// Hercules' per-type default split: the most cylinders that keep a file within
// 2^31 - 1 bytes, floor((2^31 - 512) / (heads * track_size)).  2519 for a 3390.
uint32_t default_cylinders_per_file(uint32_t heads, uint32_t track_size);

// The sequence character of file `seq` (1-based) in a multi-file name: '1'..'9', then
// 'A' for file 10, 'B' for 11, ... up to file 27 ('R').
char ckd_sequence_char(unsigned seq);

// Where the sequence character sits in a multi-file name: the character before the
// first dot of the base name (a leading dot of the base name does not count), or the
// last character if there is no dot.  npos if the base name is empty.
size_t ckd_sequence_position(const std::string& path);

// The name of file `seq` of the set whose first file is `first_file` (Hercules steps
// the sequence character of the name it is given).
std::string ckd_member_name(const std::string& first_file, unsigned seq);

// The file names dasdinit would use for a volume split over `files` files, given the
// name the user asked for: "_1" goes before the first dot of the base name ("vol.3390"
// -> "vol_1.3390", "vol_2.3390"), a name with '_' two characters before that dot reuses
// that position ("vol_1.3390" stays), and a name without a dot gets "_1" appended
// ("vol" -> "vol_1").  files == 1 returns {path} unchanged.
std::vector<std::string> ckd_split_file_names(const std::string& path, unsigned files);

// The name of file 1 of the set whose file `path` is; `path` itself for file 1, a lone
// file, or anything that is not a plain CKD file.
std::string ckd_first_file_name(const std::string& path);

// The RestoreRecord in the header of `file`, a plain CKD file marked DDR_BUSY; nullopt
// if it is not marked or holds no record.
std::optional<RestoreRecord> ckd_restore_record(const std::string& file);

// Reads a plain CKD volume (single file or multi-file set).
class CkdImageReader : public CkdVolumeReader {
public:
    // `path` is the volume's only file, or any file of a multi-file set (the set is
    // found from the file's sequence number and its name).  Throws Error(Unreadable) with
    // a precise reason if any header or file size is inconsistent, or if a restore into
    // the volume did not finish, unless `allow_unfinished` (the restore that redoes it).
    explicit CkdImageReader(const std::string& path, bool allow_unfinished = false);

    const CkdVolumeInfo& info() const override { return info_; }
    void read_track(TrackAddress addr, TrackImage& out) override;

    struct Member {
        std::string path;
        UniqueFd owned_fd;   // the reader's own descriptor (unset for files being created)
        int fd = -1;
        // A new image's writer: a descriptor for whole aligned pages that bypass the page
        // cache (open_direct_writer); unset where the file system cannot.
        UniqueFd direct_fd;
        DeviceHeader header;
        uint32_t first_cyl = 0;
        uint32_t cylinders = 0;
    };

private:
    friend class CkdImageWriter;
    CkdImageReader() = default;
    void open_set(const std::string& path, bool writable, bool allow_busy);

    CkdVolumeInfo info_;
    std::vector<Member> members_;
    std::array<uint8_t, kDeviceHeaderSize> first_header_{};  // raw bytes of file 1's header
    Bytes slot_;                                          // reusable read buffer
    // The first bytes of the slot after the one read last, read with its rest (see
    // read_slot_into): carry_offset_ in the file of descriptor carry_fd_, or none.
    Bytes carry_;
    size_t carry_length_ = 0;
    uint64_t carry_offset_ = 0;
    int carry_fd_ = -1;

    const Member& member_of(uint32_t cyl) const;
    Member& member_of(uint32_t cyl) { return const_cast<Member&>(std::as_const(*this).member_of(cyl)); }
    uint64_t slot_offset(const Member& m, TrackAddress addr) const;
    // Reads the track at `addr` out of its slot.  With `carry_next`, a track that fills
    // more than its first read takes the next slot's first read along in the same
    // system call (a reader going through the tracks in order then makes one call per
    // track, not two); a writer, whose slots change, passes false.
    void read_slot_into(TrackAddress addr, TrackImage& out, bool carry_next = false);
    void read_slot_rest(const Member& m, TrackAddress addr, uint64_t offset, size_t prefix, bool carry_next);
    bool take_carry(int fd, uint64_t offset, MutableByteSpan out);
};

// Writes a plain CKD volume: either a new one (create) or tracks of an existing one
// (update).  Tracks are gathered in a buffer of whole consecutive slots and written
// with one pwrite per run, so the common case (ascending tracks) costs a few large
// writes per cylinder; tracks may still arrive in any order.  A new image's whole pages
// go past the page cache (open_direct_writer): copying them into it cost more than the
// disk on the 2-core virtual machine we measure on.  Such writes wait for the disk, so
// a writer thread (WriteBehind) makes them while the next buffer is filled;
// sync_written(), read_track() and commit() wait for it, so a restore's resume record
// still names only tracks that are written.
class CkdImageWriter : public CkdVolumeWriter {
public:
    // Creates a new volume at `path` (split into `_n` files when spec.cylinders_per_file
    // is non-zero and smaller than the volume).  Refuses with Error(Refused) if `path` or
    // any file name of the set exists.
    static std::unique_ptr<CkdImageWriter> create(const std::string& path, const NewCkdVolume& spec);
    // Opens an existing volume to rewrite tracks in place; marks it busy at once,
    // recording `record` (if any).  An image left busy by an unfinished update is accepted (the
    // restore is being redone); Error(Refused) if both NAME and NAME.ddr-busy exist.
    static std::unique_ptr<CkdImageWriter> update(const std::string& path, const std::optional<RestoreRecord>& record);
    // A new volume an interrupted restore left in `temporaries` (resume_ckd_volume).
    static std::unique_ptr<CkdImageWriter> resume(const std::string& path, const std::vector<std::string>& temporaries,
                                                  uint64_t frontier);

    ~CkdImageWriter() override;

    const CkdVolumeInfo& info() const override { return image_.info_; }
    void read_track(TrackAddress addr, TrackImage& out) override;
    void write_track(TrackAddress addr, const TrackImage& track) override;
    void commit() override;
    bool resumable() const override { return true; }
    uint64_t sync_written() override;
    std::vector<std::string> temporary_files() const override;
    // Stops the writer thread (buffers not yet written are dropped), then keeps the files.
    void keep_unfinished() override;

private:
    CkdImageWriter() = default;
    // Takes up temporary file `temp` as file `seq` (from 0) of the set `final_name`
    // belongs in, checked against the files before it.
    void adopt_member(const std::string& final_name, const std::string& temp, size_t seq);
    // Cuts every slot from frontier_ on back to a hole of zeros.
    void cut_back_to_frontier();
    void allocate_buffer();
    size_t buffer_bytes() const { return buf_capacity_ * image_.info_.track_size + kDirectWriteAlign; }

    uint64_t track_index(TrackAddress addr) const { return uint64_t(addr.cyl) * image_.info_.heads + addr.head; }
    TrackAddress address_of(uint64_t index) const;
    void check_address(TrackAddress addr, const char* what) const;
    void check_track(TrackAddress addr, const TrackImage& track) const;

    // The write buffer: slots [buf_first_, buf_first_ + buf_count_) of one file.
    // `rewrite`: the slot already holds a track (always so in an update), so it must be
    // written whole; slots of a new image written for the first time are holes.
    void buffer_slot(uint64_t index, ByteSpan track_bytes, bool rewrite);
    void buffer_empty_slot(uint64_t index);
    uint8_t* buffered_slot(size_t i) { return buf_.data() + buf_shift_ + i * image_.info_.track_size; }
    void flush();
    // Writes file bytes [start, end) of member `m` from `data`: the whole pages inside
    // through its direct descriptor (if it has one), the partial pages at the ends
    // through the ordinary one, so no page written directly holds bytes of another run.
    void write_run(CkdImageReader::Member& m, const uint8_t* data, uint64_t start, uint64_t end);

    bool creating_ = false;   // a new image (slots not yet written are holes of zeros)
    bool committed_ = false;
    CkdImageReader image_;    // the open files and geometry
    std::vector<PendingFile> pending_;  // create: the temporary files, in set order
    std::array<uint8_t, kDeviceHeaderSize> commit_header_{};  // update: file 1's header to restore

    uint64_t frontier_ = 0;   // create: every track below this has been written or filled
    Bytes buf_;
    // Where slot 0 of the buffer starts in buf_: chosen for each run so that a page of
    // the file is a page of memory too, as direct writes need.
    size_t buf_shift_ = 0;
    std::vector<uint32_t> buf_lengths_;  // track bytes in each buffered slot
    uint64_t buf_first_ = 0;
    size_t buf_count_ = 0;
    size_t buf_capacity_ = 0;            // slots the buffer holds
    bool rewrite_in_buffer_ = false;     // some buffered slot overwrites an earlier track
    // Set by the writer thread when the file system refuses a direct write: every later
    // write goes the ordinary way.  A flag, not a reset of the direct descriptors, which
    // flush() looks at on the other thread meanwhile.
    std::atomic<bool> direct_refused_{false};
    // The writer thread, once a buffer is flushed: it writes one buffer while the next is
    // filled.  Declared last, so it stops before the files it writes are closed.
    std::unique_ptr<WriteBehind> behind_;
    // Waits until every flushed buffer is written; rethrows a write's failure.
    void drain();
};

} // namespace ddr
