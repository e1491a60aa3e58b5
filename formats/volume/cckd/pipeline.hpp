// Compresses stored images on a few threads while keeping the order they were handed
// over in (formats/io/ordered_pool.hpp: compression is what limits a CCKD writer).  The
// job slots' buffers are reused.
//
//   Job& job = pipeline.prepare();   // may first retire the oldest jobs (calls the sink)
//   ... fill job ...
//   pipeline.submit();
//   ...
//   pipeline.drain();                // every job retired
//
// The sink runs on the caller's thread (inside prepare/submit/drain), one job at a
// time, in submission order.  Jobs that need no compression pass through in order too.
#pragma once

#include "formats/volume/cckd/codec.hpp"

#include "formats/io/ordered_pool.hpp"

#include <cstdint>
#include <functional>
#include <vector>

namespace ddr::cckd {

struct Job {
    enum class Type : uint8_t {
        Null,      // no data: the unit becomes a null entry of `null_format`
        Stored,    // `stored` already holds the final stored image
        Compress,  // `raw` holds the raw image; the pipeline decides raw or compressed
    };
    Type type = Type::Null;
    uint64_t unit = 0;
    uint8_t null_format = 0;
    Bytes raw;
    Bytes stored;
    bool compressed = false;  // Compress: `stored` holds the compressed image

    // What to write for a Stored or Compress job.
    ByteSpan image() const { return (type == Type::Stored || compressed) ? ByteSpan(stored) : ByteSpan(raw); }
};

class Pipeline {
public:
    using Sink = std::function<void(const Job&)>;

    // `workers` = 0 compresses on the caller's thread.
    Pipeline(unsigned workers, CckdCompression method, int level, Sink sink);

    Job& prepare();
    void submit();
    void drain() { pool_.drain(); }

private:
    CckdCompression method_;
    int level_;
    Sink sink_;
    std::vector<Job> jobs_;                // the ring of OrderedPool slots
    std::vector<Compressor> compressors_;  // one per worker (one for the caller's thread)
    OrderedPool pool_;                     // last: its threads stop before the rest goes
};

// How many compression threads "0 = automatic" means on this machine.
inline unsigned default_compression_threads()
{
    return default_worker_threads();
}

} // namespace ddr::cckd
