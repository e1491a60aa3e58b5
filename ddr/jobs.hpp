// Running the volumes of a whole-system run as jobs, N at a time on threads of their own,
// with one progress line for the whole run on a terminal.
#pragma once

#include "ddr/report.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ddr {

// How far a run of jobs has come, fed by every job's progress observer (from any thread)
// and shown by the thread that waits for them.
class RunProgress {
public:
    // `estimates`: each job's units (tracks, blocks) as known before it starts (0 if not),
    // for the ETA until the job says its own total.  Shown only when `shown`.
    RunProgress(std::vector<uint64_t> estimates, bool shown, std::string verb);

    // What job `index` hands its Reporter::for_job.
    Reporter::ProgressObserver observer(size_t index);
    void job_finished(size_t index);

    // The line "dump: 3 of 8 volumes, 1.2 GB, 95.0 MB/s, ETA 0:42", rewritten in place.
    void show();
    void end();
    uint64_t bytes() const;
    double seconds() const;

private:
    struct JobState {
        std::atomic<uint64_t> done{0}, total{0}, bytes{0};
        std::atomic<bool> finished{false};
    };
    std::vector<std::unique_ptr<JobState>> jobs_;
    std::vector<uint64_t> estimates_;
    bool shown_;
    bool line_out_ = false;
    std::string verb_;
    std::chrono::steady_clock::time_point start_;
};

// Calls job(i) for every i below `count`, at most `parallel` at once, each on a thread of
// its own; the calling thread shows `progress` meanwhile.  After an interrupt no job
// starts (those running see it themselves).  A job reports its own failures; an
// exception escaping one (out of memory) is thrown here once every thread has ended.
void run_jobs(size_t count, unsigned parallel, const std::function<void(size_t)>& job, RunProgress& progress);

// Whether a run's progress line is shown: on a terminal, unless quiet or --json.
bool shows_run_progress(const Reporter& reporter);

// --jobs' default: the number of processors.
unsigned default_jobs();

// "1:02:03" or "2:03".
std::string clock_text(double seconds);

} // namespace ddr
