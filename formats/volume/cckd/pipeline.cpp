#include "formats/volume/cckd/pipeline.hpp"

#include <algorithm>

namespace ddr::cckd {

namespace {
// Images stored uncompressed need no workers.
unsigned workers_for(CckdCompression method, unsigned workers)
{
    return method == CckdCompression::None ? 0 : workers;
}
} // namespace

Pipeline::Pipeline(unsigned workers, CckdCompression method, int level, Sink sink)
    : method_(method), level_(level), sink_(std::move(sink)),
      jobs_(OrderedPool::slots_for(workers_for(method, workers))),
      compressors_(std::max(1u, workers_for(method, workers))),
      pool_(
          workers_for(method, workers),
          [this](size_t slot, unsigned worker) {
              Job& job = jobs_[slot];
              job.compressed = compress_image(compressors_[worker], method_, level_, job.raw, job.stored);
          },
          [this](size_t slot) { sink_(jobs_[slot]); })
{
}

Job& Pipeline::prepare()
{
    Job& job = jobs_[pool_.prepare()];
    job.compressed = false;
    return job;
}

void Pipeline::submit()
{
    pool_.submit(jobs_[pool_.slot_of(pool_.submitted())].type == Job::Type::Compress);
}

} // namespace ddr::cckd
