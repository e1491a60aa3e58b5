#include "ddr/run_io.hpp"

#include "formats/io/error.hpp"

#include <cstdlib>
#include <unistd.h>
#include <utility>

namespace ddr {

Console::Console(FilePtr in, std::string name, std::optional<stmt::Answer> answer_all, std::FILE* screen)
    : in_(std::move(in)), screen_(screen), name_(std::move(name)), answer_all_(answer_all), terminal_(::isatty(::fileno(in_.get())) == 1)
{
}

void Console::say(std::string_view line) const
{
    std::fwrite(line.data(), 1, line.size(), screen_);
    std::fputc('\n', screen_);
    std::fflush(screen_);
}

void Console::write(std::string_view bytes) const
{
    std::fwrite(bytes.data(), 1, bytes.size(), screen_);
    std::fflush(screen_);
}

std::optional<std::string> Console::read(std::string_view prompt)
{
    say(prompt);
    if (unread_)
        return std::exchange(unread_, std::nullopt);
    char* buf = nullptr;
    size_t cap = 0;
    const ssize_t n = ::getline(&buf, &cap, in_.get());
    std::unique_ptr<char, decltype(&std::free)> owned(buf, &std::free);
    if (n < 0)
        return std::nullopt;
    ++line_;
    std::string line(buf, size_t(n));
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r'))
        line.pop_back();
    return line;
}

stmt::Answer Console::ask(const std::string& question)
{
    for (;;) {
        say(question);
        if (answer_all_) {
            say(console::kContinue);
            return *answer_all_;
        }
        std::optional<std::string> line = read(console::kContinue);
        if (!line)
            return stmt::Answer::No;
        if (auto a = stmt::parse_answer(*line))
            return *a;
        if (!terminal_) {
            std::fprintf(stderr, "ddr: %s: not YES, NO or REREAD: taken as NO, and read as a statement\n",
                         where().c_str());
            unread_ = std::move(line);
            return stmt::Answer::No;
        }
    }
}

void Console::switch_input(FilePtr in, std::string name)
{
    in_ = std::move(in);
    name_ = std::move(name);
    line_ = 0;
    terminal_ = false;
}

void Printer::page(const std::vector<std::string>& lines)
{
    std::string text;
    for (const std::string& l : lines)
        text += l + "\n";
    begin_page();
    write(text);
}

void Printer::begin_page()
{
    if (device().pages++)
        write("\f");
}

void Printer::write(std::string_view bytes)
{
    Device& d = device();
    if (std::fwrite(bytes.data(), 1, bytes.size(), d.file.get()) != bytes.size() || std::fflush(d.file.get()) != 0)
        fail(ErrorKind::WriteFailed, file_place(d.name), "writing the SYSPRINT output failed");
}

Printer::Device& Printer::device()
{
    const UnitBinding* b = unit_ ? units_.find(*unit_) : nullptr;
    const std::string key = b ? b->file : std::string("-");
    Device& d = devices_[key];
    if (d.file)
        return d;
    d.name = b ? b->file : std::string(screen_ == stdout ? "standard output" : "standard error");
    if (!b) {
        d.file.reset(screen_);
        return d;
    }
    d.pending.emplace(b->file, CommitRule::Replace);
    const int fd = ::dup(d.pending->fd());
    d.file.reset(fd < 0 ? nullptr : ::fdopen(fd, "w"));
    if (!d.file) {
        if (fd >= 0)
            ::close(fd);
        fail(ErrorKind::WriteFailed, file_place(d.name), "cannot write the SYSPRINT file");
    }
    return d;
}

void Printer::finish()
{
    for (auto& [key, d] : devices_) {
        if (!d.pending)
            continue;
        if (std::fflush(d.file.get()) != 0)
            fail(ErrorKind::WriteFailed, file_place(d.name), "writing the SYSPRINT output failed");
        d.file.reset();
        d.pending->commit();
        d.pending.reset();
    }
}

} // namespace ddr
