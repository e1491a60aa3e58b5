# Builds the libFuzzer targets (run through tests/fuzz/build.sh, from the top folder).
#
# Every project source is compiled again with clang++ and the fuzzer's coverage
# instrumentation plus ASan and UBSan, into $(FUZZ_BUILD)/libproject.a; each target
# links it with -fsanitize=fuzzer.  make-seeds is an ordinary program (sanitizers, no
# fuzzer main) that writes seed files with the project's own writers.

FUZZ_BUILD ?= build-fuzz
FUZZ_CXX   ?= clang++
# UBSan checks stay recoverable so that run.sh can suppress a known, reported finding
# (tests/fuzz/known-issues.supp) and keep fuzzing; every other report halts the target
# (halt_on_error=1, set in fuzz_support.cpp and by run.sh).
SAN        := -fsanitize=address,undefined -fno-omit-frame-pointer
WARN       := -Wall -Wextra -Werror -Wshadow -Wnon-virtual-dtor -Wcast-align -Wunused -Woverloaded-virtual
FLAGS      := -std=c++20 -I. -O1 -g $(WARN) $(SAN) $(FUZZ_EXTRA_CXXFLAGS)
# The project is built with g++ -Werror; warnings only clang gives (e.g. an unused
# private field) are shown for the project's sources but do not stop the fuzz build.
CORE_FLAGS := $(FLAGS) -Wno-error
LIBS       := -lxxhash -lbz2 -lz -lpthread

FORMATS_SRC := $(wildcard formats/*/*.cpp formats/*/*/*.cpp)
CORE_SRC := $(FORMATS_SRC) $(wildcard devices/*.cpp) $(filter-out ddr/main.cpp,$(wildcard ddr/*.cpp))
CORE_OBJ := $(CORE_SRC:%.cpp=$(FUZZ_BUILD)/obj/%.o)
SUPPORT_OBJ := $(FUZZ_BUILD)/obj/tests/fuzz/fuzz_support.o

TARGETS := fuzz_tape fuzz_ddr_stream fuzz_ddr_track fuzz_track_image fuzz_volume fuzz_volume_update fuzz_dump_scan fuzz_statements fuzz_manifest fuzz_catalog fuzz_resume_record
BINS := $(TARGETS:%=$(FUZZ_BUILD)/%)

all: $(BINS) $(FUZZ_BUILD)/make-seeds

# Objects are rebuilt when the compiler or the flags change.
FLAGS_STAMP := $(FUZZ_BUILD)/flags.stamp
$(shell mkdir -p $(FUZZ_BUILD); echo '$(FUZZ_CXX) $(FLAGS)' | cmp -s - $(FLAGS_STAMP) || echo '$(FUZZ_CXX) $(FLAGS)' >$(FLAGS_STAMP))

$(FUZZ_BUILD)/libproject.a: $(CORE_OBJ)
	@rm -f $@
	ar rcs $@ $^

# The library and the harnesses carry coverage instrumentation for the fuzzer.
$(FUZZ_BUILD)/obj/tests/fuzz/%.o: tests/fuzz/%.cpp $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(FUZZ_CXX) $(FLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

$(FUZZ_BUILD)/obj/%.o: %.cpp $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(FUZZ_CXX) $(CORE_FLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/obj/tests/fuzz/fuzz_%.o $(SUPPORT_OBJ) $(FUZZ_BUILD)/libproject.a
	$(FUZZ_CXX) $(FLAGS) -fsanitize=fuzzer -o $@ $^ $(LIBS)

$(FUZZ_BUILD)/make-seeds: $(FUZZ_BUILD)/obj/tests/fuzz/make_seeds.o $(SUPPORT_OBJ) $(FUZZ_BUILD)/libproject.a
	$(FUZZ_CXX) $(FLAGS) -fsanitize=fuzzer-no-link -o $@ $^ $(LIBS)

.PHONY: all
.SECONDARY:

-include $(CORE_OBJ:.o=.d) $(FUZZ_BUILD)/obj/tests/fuzz/*.d
