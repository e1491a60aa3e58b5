// The console and the printer of a `ddr run` job: where IBM's DDR types and prints, and
// where it reads its statements and the answers to its questions.
#pragma once

#include "ddr/console.hpp"
#include "ddr/run_units.hpp"
#include "ddr/statements.hpp"
#include "formats/io/file.hpp"

#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ddr {

// Closes a FILE (never standard input, output or error).
struct FileCloser {
    void operator()(std::FILE* f) const
    {
        if (f && f != stdin && f != stdout && f != stderr)
            std::fclose(f);
    }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

// IBM's console: lines to standard output as DDR types them, statements and answers read
// from one input (a file, a card reader unit, or the terminal).  Input is not echoed: a
// recorded session replays to the same console text less the lines typed.
class Console {
public:
    // `answer_all` (--yes/--no) answers every question.  `screen` is where the console's
    // lines go: standard output, or standard error when that carries a JSON report.
    Console(FilePtr in, std::string name, std::optional<stmt::Answer> answer_all, std::FILE* screen = stdout);

    // One line, and its newline.
    void say(std::string_view line) const;
    // Bytes as they are (lines that end in their own newlines: a TYPE listing).
    void write(std::string_view bytes) const;

    // Prompts with `prompt` and reads one line (its line end removed); nullopt at the end
    // of the input.
    std::optional<std::string> read(std::string_view prompt = console::kEnter);

    // Asks `question` and IBM's "DO YOU WISH TO CONTINUE?" until answered YES, NO or
    // REREAD; --yes/--no answer for the operator; the end of the input answers NO.  At a
    // terminal a line that is no answer asks again; from a file it answers NO and is
    // read again as the next statement, so a runbook without answers loses no statement.
    stmt::Answer ask(const std::string& question);

    // Reads the statements (and answers) from `in` from now on: a card reader unit.
    void switch_input(FilePtr in, std::string name);

    // "runbook.txt line 5": where the last line read came from, for messages.
    std::string where() const { return name_ + " line " + std::to_string(line_); }

private:
    FilePtr in_;
    std::FILE* screen_;
    std::string name_;
    unsigned line_ = 0;
    std::optional<stmt::Answer> answer_all_;
    bool terminal_;
    std::optional<std::string> unread_;  // a line to read again (a non-answer from a file)
};

// The SYSPRINT unit: a bound file or, unbound or CONS, the console's screen (standard
// output, or standard error when that carries a JSON report).  A file is made
// as every file ddr makes (formats/io/file.hpp): written under a temporary name and
// put in place, replacing what was there, by finish() at the end of the job.  A page
// after the first on a device starts with a form feed, as the printer ejects.
class Printer {
public:
    explicit Printer(const UnitTable& units, std::FILE* screen = stdout) : units_(units), screen_(screen) {}

    void set_unit(std::optional<uint16_t> unit) { unit_ = unit; }

    // A page of lines (each ends in a newline).
    void page(const std::vector<std::string>& lines);
    // Starts a page: a form feed unless it is the device's first.
    void begin_page();
    // Bytes as they are (a PRINT listing lays out its own pages).  Error(WriteFailed).
    void write(std::string_view bytes);
    // Puts every printer file in place.  Error(WriteFailed).
    void finish();

private:
    struct Device {
        std::optional<PendingFile> pending;  // a bound file, until finish()
        FilePtr file;
        std::string name;
        unsigned pages = 0;
    };
    // The device SYSPRINT names, opened on first use.
    Device& device();

    const UnitTable& units_;
    std::FILE* screen_;
    std::optional<uint16_t> unit_ = 0x00E;
    std::map<std::string, Device> devices_;
};

} // namespace ddr
