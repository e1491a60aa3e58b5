# shellcheck shell=sh disable=SC2034
# Sourced by run.sh when fuzzing (not for --smoke or --repro): settings that let a
# campaign go on past findings already reported, so that every run does not stop at
# the same place.  Each entry names its reproducer in tests/fuzz/crashes/; delete the
# entry (and the matching line of known-issues.supp) once the bug is fixed.

# (no known issues: every saved finding is fixed; run.sh --repro checks them)
