#include "ddr/jobs.hpp"

#include "formats/io/interrupt.hpp"

#include <condition_variable>
#include <cstdio>
#include <exception>
#include <mutex>
#include <thread>
#include <unistd.h>

namespace ddr {

RunProgress::RunProgress(std::vector<uint64_t> estimates, bool shown, std::string verb)
    : estimates_(std::move(estimates)), shown_(shown), verb_(std::move(verb)), start_(std::chrono::steady_clock::now())
{
    for (size_t i = 0; i < estimates_.size(); ++i)
        jobs_.push_back(std::make_unique<JobState>());
}

Reporter::ProgressObserver RunProgress::observer(size_t index)
{
    JobState* state = jobs_.at(index).get();
    return [state](uint64_t done, uint64_t total, uint64_t bytes) {
        state->done = done;
        state->total = total;
        state->bytes = bytes;
    };
}

void RunProgress::job_finished(size_t index)
{
    jobs_.at(index)->finished = true;
}

uint64_t RunProgress::bytes() const
{
    uint64_t sum = 0;
    for (const auto& j : jobs_)
        sum += j->bytes;
    return sum;
}

double RunProgress::seconds() const
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void RunProgress::show()
{
    if (!shown_)
        return;
    size_t finished = 0;
    uint64_t done = 0, total = 0;
    for (size_t i = 0; i < jobs_.size(); ++i) {
        const JobState& j = *jobs_[i];
        const uint64_t job_total = j.total ? j.total.load() : estimates_[i];
        finished += j.finished ? 1 : 0;
        total += job_total;
        done += j.finished ? job_total : std::min<uint64_t>(j.done, job_total);
    }
    const double secs = seconds();
    const uint64_t bytes_now = bytes();
    std::string line = verb_ + ": " + std::to_string(finished) + " of " + std::to_string(jobs_.size()) + " volumes, " +
                       human_bytes(bytes_now) + ", " + human_bytes(secs > 0 ? uint64_t(double(bytes_now) / secs) : 0) + "/s";
    if (done > 0 && total > done)
        line += ", ETA " + clock_text(secs * double(total - done) / double(done));
    std::fprintf(stderr, "\r%s\033[K", line.c_str());
    line_out_ = true;
}

void RunProgress::end()
{
    if (line_out_)
        std::fprintf(stderr, "\r\033[K");
    line_out_ = false;
}

void run_jobs(size_t count, unsigned parallel, const std::function<void(size_t)>& job, RunProgress& progress)
{
    std::atomic<size_t> next{0};
    std::mutex mutex;
    std::condition_variable all_done;
    size_t running = std::min<size_t>(std::max(parallel, 1u), count);
    std::exception_ptr escaped;
    auto worker = [&] {
        for (size_t i; !interrupted() && (i = next++) < count;) {
            try {
                job(i);
            } catch (...) {
                std::lock_guard lock(mutex);
                if (!escaped)
                    escaped = std::current_exception();
            }
            progress.job_finished(i);
        }
        std::lock_guard lock(mutex);
        --running;
        all_done.notify_all();
    };
    std::vector<std::thread> threads;
    const size_t started = running;
    for (size_t t = 0; t < started; ++t)
        threads.emplace_back(worker);
    {
        std::unique_lock lock(mutex);
        while (!all_done.wait_for(lock, std::chrono::milliseconds(250), [&] { return running == 0; })) {
            lock.unlock();
            progress.show();
            lock.lock();
        }
    }
    for (std::thread& t : threads)
        t.join();
    progress.end();
    if (escaped)
        std::rethrow_exception(escaped);
}

bool shows_run_progress(const Reporter& reporter)
{
    return ::isatty(STDERR_FILENO) == 1 && reporter.level() != Reporter::Level::Quiet && !reporter.json();
}

unsigned default_jobs()
{
    const unsigned n = std::thread::hardware_concurrency();
    return n ? n : 1;
}

std::string clock_text(double seconds)
{
    const uint64_t s = uint64_t(seconds + 0.5);
    char buf[32];
    if (s >= 3600)
        std::snprintf(buf, sizeof buf, "%llu:%02llu:%02llu", (unsigned long long)(s / 3600),
                      (unsigned long long)(s / 60 % 60), (unsigned long long)(s % 60));
    else
        std::snprintf(buf, sizeof buf, "%llu:%02llu", (unsigned long long)(s / 60), (unsigned long long)(s % 60));
    return buf;
}

} // namespace ddr
