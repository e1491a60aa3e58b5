// A simulated Linux SCSI tape drive (TapeDrive) with the st driver's semantics, as
// Documentation/scsi/st.rst states them, for the drive reader and writer tests:
//   - variable-block mode: each write is one block; a read returns one block, or ENOMEM
//     (the block passed over) if the buffer is shorter than the block;
//   - filemarks are records of their own; a read at one returns 0; reading on past the
//     recorded data returns 0 again and the status then says end of data (GMT_EOD);
//   - early warning: the write that ends past `early_warning_at` data bytes completes and
//     returns its count, and the status says GMT_EOT from then on; the next write returns
//     -ENOSPC and writes nothing, the one after is allowed, and so on alternately;
//   - a write that would end past `physical_end` returns -ENOSPC and writes nothing;
//   - writing anywhere but at the end cuts off what followed (tape has no overwrite-in-place);
//   - faults: -EIO on writing or reading the data block with a chosen 1-based number, and
//     on spacing over it (MTFSF), the tape left before it and not at the end of data.
// The cartridge (SimulatedCartridge) lives apart from the drive, so a test can write it,
// drop the writer, and read or append to it with another drive object.
#pragma once

#include "formats/tape/drive_tape.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <optional>
#include <vector>

namespace ddr::test {

struct SimulatedCartridge {
    std::vector<std::optional<Bytes>> records;  // nullopt: a filemark
};

struct SimulatedFaults {
    uint64_t early_warning_at = std::numeric_limits<uint64_t>::max();  // data bytes
    uint64_t physical_end = std::numeric_limits<uint64_t>::max();      // data bytes
    std::optional<uint64_t> write_error_block;  // 1-based data block number on the tape
    std::optional<uint64_t> read_error_block;
};

class SimulatedTapeDrive : public TapeDrive {
public:
    SimulatedTapeDrive(std::string name, SimulatedCartridge& cartridge, SimulatedFaults faults = {})
        : name_(std::move(name)), tape_(cartridge), faults_(faults)
    {
    }

    long read_block(std::span<uint8_t> buffer) override
    {
        moved();
        if (pos_ >= tape_.records.size()) {
            blank_ = true;
            return 0;
        }
        const auto& record = tape_.records[pos_];
        if (!record) {
            ++pos_;
            return 0;
        }
        if (faults_.read_error_block && *faults_.read_error_block == data_blocks_before(pos_) + 1)
            return -EIO;
        ++pos_;
        ++blocks_read_;
        if (buffer.size() < record->size())
            return -ENOMEM;
        std::memcpy(buffer.data(), record->data(), record->size());
        return long(record->size());
    }

    long write_block(ByteSpan block) override
    {
        moved();
        if (faults_.write_error_block && *faults_.write_error_block == data_blocks_before(pos_) + 1)
            return -EIO;
        const uint64_t end = bytes_before(pos_) + block.size();
        if (end > faults_.physical_end)
            return -ENOSPC;
        if (refuse_next_) {
            refuse_next_ = false;
            return -ENOSPC;
        }
        put(Bytes(block.begin(), block.end()));
        refuse_next_ = end > faults_.early_warning_at;
        ++writes_;
        return long(block.size());
    }

    int write_filemarks(unsigned count) override
    {
        moved();
        for (unsigned i = 0; i < count; ++i)
            put(std::nullopt);
        return 0;
    }

    int backspace_records(unsigned count) override
    {
        moved();
        refuse_next_ = false;
        for (unsigned i = 0; i < count; ++i) {
            if (pos_ == 0 || !tape_.records[pos_ - 1])  // st stops at BOT or a filemark
                return -EIO;
            --pos_;
        }
        return 0;
    }

    // st's MTFSF: past `count` filemarks; running off the recorded data first is -EIO,
    // the tape left at its end.
    int forward_space_files(unsigned count) override
    {
        moved();
        refuse_next_ = false;
        for (unsigned seen = 0; seen < count; ++pos_) {
            if (pos_ >= tape_.records.size()) {
                blank_ = true;
                return -EIO;
            }
            if (!tape_.records[pos_])
                ++seen;
            else if (faults_.read_error_block && *faults_.read_error_block == data_blocks_before(pos_) + 1)
                return -EIO;
        }
        return 0;
    }
    int rewind() override { return to(0); }
    int unload() override
    {
        unloaded_ = true;
        return to(0);
    }
    int space_to_end_of_data() override
    {
        to(tape_.records.size());
        blank_ = true;
        return 0;
    }

    int status(DriveStatus& out) override
    {
        out.beginning = pos_ == 0;
        out.early_warning = bytes_before(pos_) > faults_.early_warning_at;
        out.end_of_data = blank_;
        out.file = 0;
        out.block = 0;
        for (size_t i = 0; i < pos_ && i < tape_.records.size(); ++i) {
            out.block = tape_.records[i] ? out.block + 1 : 0;
            out.file += tape_.records[i] ? 0 : 1;
        }
        return 0;
    }

    const std::string& name() const override { return name_; }

    bool unloaded() const { return unloaded_; }
    size_t position() const { return pos_; }
    uint64_t writes() const { return writes_; }
    uint64_t blocks_read() const { return blocks_read_; }  // data blocks read() returned

private:
    void moved() { blank_ = false; }
    int to(size_t where)
    {
        moved();
        refuse_next_ = false;
        pos_ = where;
        return 0;
    }
    void put(std::optional<Bytes> record)
    {
        tape_.records.resize(pos_);  // writing ends the recorded data here
        tape_.records.push_back(std::move(record));
        ++pos_;
    }
    uint64_t bytes_before(size_t pos) const
    {
        uint64_t n = 0;
        for (size_t i = 0; i < pos && i < tape_.records.size(); ++i)
            n += tape_.records[i] ? tape_.records[i]->size() : 0;
        return n;
    }
    uint64_t data_blocks_before(size_t pos) const
    {
        return uint64_t(std::count_if(tape_.records.begin(), tape_.records.begin() + std::min(pos, tape_.records.size()),
                                      [](const auto& r) { return r.has_value(); }));
    }

    std::string name_;
    SimulatedCartridge& tape_;
    SimulatedFaults faults_;
    size_t pos_ = 0;
    bool refuse_next_ = false;  // the st alternation past the early warning
    bool blank_ = false;        // the last read ran off the recorded data
    bool unloaded_ = false;
    uint64_t writes_ = 0;
    uint64_t blocks_read_ = 0;
};

} // namespace ddr::test
