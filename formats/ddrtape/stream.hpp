// Reading a DDR tape as a sequence of events (man/ddrtape.5):
//
//   [TM] VHR [DMKCKP] THR-group ... (EOJ | EOV) [extension blocks] TM   VHR ... TM ...
//
// Blocks are interpreted by where they stand, never guessed from their content: a data
// block of a track may well begin with the bytes 'THR ' or 'EOJ '.
#pragma once

#include "formats/ddrtape/fbg_group.hpp"
#include "formats/ddrtape/records.hpp"
#include "formats/ddrtape/thr_group.hpp"
#include "formats/io/error.hpp"
#include "formats/tape/tape.hpp"

namespace ddr {

enum class DdrEvent {
    Header,       // a VHR: a dump (or its next reel) starts; header()
    Nucleus,      // the 4096-byte CP checkpoint record of a NUCLEUS dump; block()
    Track,        // a complete THR group; track()
    FbaGroup,     // a complete FBG group of an FBA dump; fba_group()
    EndOfVolume,  // EOV: this reel ends, the dump goes on on the next; header()
    EndOfJob,     // EOJ: the dump ends; header()
    Extension,    // a block after EOJ/EOV before the tape mark (our trailer); block()
    FileEnd,      // the tape mark that closes a dump file
    EndOfData,    // end of the tape
};

class DdrStreamReader {
public:
    explicit DdrStreamReader(TapeReader& tape);

    // Reads the next event.  Malformed input throws Error(Unreadable) whose place names
    // the tape file, block number and offset (and the track, when inside one).
    DdrEvent next();

    const DdrVolumeHeader& header() const { return header_; }
    DdrTrackDecoder& track() { return decoder_; }
    FbaGroupDecoder& fba_group() { return fba_decoder_; }
    // True while reading an FBA dump (its VHR carries the 'FBA ' marker).
    bool fba() const { return fba_; }
    ByteSpan block() const { return view_; }

    // Where the current event's first block is.
    Place place() const { return place_; }
    // The 1-based tape file (dump) the current event belongs to.
    uint64_t file_number() const { return file_; }

    // Skips to just after the `count`-th next tape mark (IBM's SKIP).  Throws
    // Error(Unreadable) if the tape ends first.
    void skip_files(uint64_t count);

    // The next record of a file that could not be read as a dump, not interpreted:
    // Extension for any block (block()), FileEnd after which the next file is read as a
    // dump again, or EndOfData.
    DdrEvent next_uninterpreted();

    TapeReader& tape() { return tape_; }

private:
    enum class State { BetweenFiles, AfterVhr, InDump, AfterEnd };

    TapeRecord read_record();
    [[noreturn]] void malformed(const std::string& message) const;
    // Reads the rest of a group's blocks into `decoder`; errors name `group_place`.
    template <typename Decoder>
    void read_group(Decoder& decoder, const Place& group_place, const char* what);

    TapeReader& tape_;
    State state_ = State::BetweenFiles;
    ByteSpan view_;        // the record last read
    bool stable_ = false;  // view_ stays valid while kStableViewBytes more are read
    DdrVolumeHeader header_;
    DdrTrackDecoder decoder_;
    FbaGroupDecoder fba_decoder_;
    bool fba_ = false;
    Place place_;
    uint64_t file_ = 1;
};

} // namespace ddr
