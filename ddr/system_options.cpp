#include "ddr/system_options.hpp"

#include "ddr/jobs.hpp"

#include <CLI/CLI.hpp>

namespace ddr {

void add_selection_options(CLI::App* command, SelectionOptions& options)
{
    options.command = command;
    command->add_option("--include", options.includes,
                        "select volumes whose volser, address or device type matches (* and ? patterns; the last "
                        "matching --include/--exclude wins)")
        ->allow_extra_args(false);
    command->add_option("--exclude", options.excludes, "leave out volumes whose volser, address or device type matches")
        ->allow_extra_args(false);
    command->add_option("-j,--jobs", options.jobs, "volumes at a time (default: the number of processors)")
        ->check(CLI::Range(1u, 1024u));
}

std::vector<SelectionRule> SelectionOptions::rules() const
{
    // parse_order() names an option once per occurrence; each takes the next of its values.
    std::vector<SelectionRule> rules;
    size_t next_include = 0, next_exclude = 0;
    for (const CLI::Option* opt : command->parse_order()) {
        if (opt->get_name() == "--include" && next_include < includes.size())
            rules.push_back({true, includes[next_include++]});
        else if (opt->get_name() == "--exclude" && next_exclude < excludes.size())
            rules.push_back({false, excludes[next_exclude++]});
    }
    return rules;
}

unsigned SelectionOptions::job_count() const
{
    return jobs ? jobs : default_jobs();
}

std::vector<std::string> rules_text(const std::vector<SelectionRule>& rules)
{
    std::vector<std::string> text;
    for (const SelectionRule& r : rules)
        text.push_back((r.include ? "+" : "-") + r.pattern);
    return text;
}

} // namespace ddr
