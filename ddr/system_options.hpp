// The command-line options the whole-system forms of dump, verify and restore share:
// --include/--exclude (in the order given: the last matching rule wins) and --jobs.
#pragma once

#include "ddr/system.hpp"

#include <memory>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace ddr {

struct SelectionOptions {
    std::vector<std::string> includes, excludes;  // as CLI11 collects them
    CLI::App* command = nullptr;                  // for the order they were given in
    unsigned jobs = 0;                            // 0: default_jobs()
    // The rules, in command-line order.
    std::vector<SelectionRule> rules() const;
    unsigned job_count() const;
};

// Registers --include, --exclude and --jobs on `command`.
void add_selection_options(CLI::App* command, SelectionOptions& options);

// The rules as the catalog records them: ["+VM*", "-0130"].
std::vector<std::string> rules_text(const std::vector<SelectionRule>& rules);

} // namespace ddr
