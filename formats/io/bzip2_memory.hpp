// bzip2's work areas, kept from one stream to the next.
#pragma once

#include <bzlib.h>

#include <cstddef>
#include <vector>

namespace ddr {

// bzip2 has no "reset": every HET block and every CCKD track image is a stream of its
// own, and each stream set up anew allocates its work areas (up to a few MB for the
// compressor, 64 KB to 3.6 MB for the decompressor) and frees them at its end.  An
// object of this class, attached to each stream in turn, hands the same areas back
// every time; an area of a size no longer asked for is freed when a new size is.
// One per thread: it is not synchronised.
class Bzip2Memory {
public:
    Bzip2Memory() = default;
    Bzip2Memory(const Bzip2Memory&) = delete;
    Bzip2Memory& operator=(const Bzip2Memory&) = delete;
    ~Bzip2Memory();

    // Makes `stream` (not yet initialised) take its memory from this object, which
    // must outlive the stream's BZ2_bz*End.
    void attach(bz_stream& stream);

private:
    struct Area {
        void* memory;
        size_t size;
        bool in_use;
    };

    void* allocate(size_t size);
    void release(void* memory);
    static void* allocate_for(void* self, int items, int size);
    static void release_for(void* self, void* memory);

    std::vector<Area> areas_;
};

} // namespace ddr
