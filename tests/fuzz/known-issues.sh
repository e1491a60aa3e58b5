# shellcheck shell=sh disable=SC2034
# Sourced by run.sh when fuzzing (not for --smoke or --repro): settings that let a
# campaign go on past findings already reported, so that every run does not stop at
# the same place.  Each entry names its reproducer in tests/fuzz/crashes/; delete the
# entry (and the matching line of known-issues.supp) once the bug is fixed.

# fuzz_volume--cckd-null-fmt0-track-larger-than-track-size.cckd: a CCKD image whose
# header says tracks of 29-36 bytes reads its null format-0 tracks as 37-byte tracks.
DDR_FUZZ_KNOWN="${DDR_FUZZ_KNOWN:-} cckd-null-fmt0-oversize"
export DDR_FUZZ_KNOWN
