#include "formats/io/bzip2_memory.hpp"

#include <algorithm>
#include <cstdlib>
#include <limits>

namespace ddr {

Bzip2Memory::~Bzip2Memory()
{
    for (Area& a : areas_)
        std::free(a.memory);
}

void Bzip2Memory::attach(bz_stream& stream)
{
    stream.bzalloc = &allocate_for;
    stream.bzfree = &release_for;
    stream.opaque = this;
}

// An unused area of exactly `size` bytes, or a new one after the unused areas of
// other sizes are freed (a stream asks for the same sizes each time, so those are
// left over from streams of another block size).  Null when malloc fails: bzip2
// turns that into BZ_MEM_ERROR.
void* Bzip2Memory::allocate(size_t size)
{
    for (Area& a : areas_) {
        if (!a.in_use && a.size == size) {
            a.in_use = true;
            return a.memory;
        }
    }
    std::erase_if(areas_, [](const Area& a) {
        if (!a.in_use)
            std::free(a.memory);
        return !a.in_use;
    });
    void* memory = std::malloc(size);
    if (memory)
        areas_.push_back({memory, size, true});
    return memory;
}

void Bzip2Memory::release(void* memory)
{
    for (Area& a : areas_) {
        if (a.memory == memory) {
            a.in_use = false;
            return;
        }
    }
}

void* Bzip2Memory::allocate_for(void* self, int items, int size)
{
    if (items < 0 || size < 0 || (size > 0 && size_t(items) > std::numeric_limits<size_t>::max() / size_t(size)))
        return nullptr;
    return static_cast<Bzip2Memory*>(self)->allocate(size_t(items) * size_t(size));
}

void Bzip2Memory::release_for(void* self, void* memory) { static_cast<Bzip2Memory*>(self)->release(memory); }

} // namespace ddr
