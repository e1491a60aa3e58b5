# ddr — DDR-compatible DASD dump/restore.  See README.md.
#
#   make            build bin/ddr (one static binary; ddr/ holds its sources)
#   make check      build and run every test (unit, end-to-end, IBM fixtures)
#   make demo       make a sample 3390, dump it, restore it, prove the two identical
#   make bench      benchmarks, printed as ratios against baselines run alongside
#   make deps       install the Debian packages the build and tests need
#   make install    PREFIX=/usr/local DESTDIR=

CXX      ?= g++
PREFIX   ?= /usr/local
DESTDIR  ?=
BUILD    ?= build
OPT      ?= -O2
CXXFLAGS ?= $(OPT) -g
WARN     := -Wall -Wextra -Werror -Wshadow -Wnon-virtual-dtor -Wcast-align -Wunused -Woverloaded-virtual
ALLCXXFLAGS := -std=c++20 -pthread $(WARN) -I. $(CXXFLAGS) $(EXTRA_CXXFLAGS)
LIBS     := -lxxhash -lbz2 -lz
STATIC   ?= -static
BIN      ?= bin/ddr

# Two libraries, as the layers are: the byte formats and device tables (formats/, devices/),
# and the program's commands (ddr/, all but main.cpp).
FORMATS_SRC := $(wildcard formats/*/*.cpp formats/*/*/*.cpp) $(wildcard devices/*.cpp)
FORMATS_OBJ := $(FORMATS_SRC:%.cpp=$(BUILD)/%.o)
PROGRAM_SRC := $(filter-out ddr/main.cpp,$(wildcard ddr/*.cpp))
PROGRAM_OBJ := $(PROGRAM_SRC:%.cpp=$(BUILD)/%.o)
CORE_OBJ := $(FORMATS_OBJ) $(PROGRAM_OBJ)
LIBS_OURS := $(BUILD)/libprogram.a $(BUILD)/libformats.a
MAIN_OBJ := $(BUILD)/ddr/main.o
TEST_SRC := $(wildcard tests/unit/*.cpp)
TEST_OBJ := $(TEST_SRC:%.cpp=$(BUILD)/%.o)
SAMPLE_OBJ := $(BUILD)/tests/unit/sample_volume.o $(BUILD)/tests/unit/support.o
DEPS     := $(CORE_OBJ:.o=.d) $(MAIN_OBJ:.o=.d) $(TEST_OBJ:.o=.d)

DEBIAN_PACKAGES := g++ make libcli11-dev libxxhash-dev xxhash doctest-dev zlib1g-dev libbz2-dev \
                   xz-utils hercules python3 clang libclang-rt-14-dev

.PHONY: all check unit e2e tools demo bench deps install uninstall clean sanitize fuzz fuzz-smoke

all: $(BIN)

$(BIN): $(MAIN_OBJ) $(LIBS_OURS)
	@mkdir -p $(dir $@)
	$(CXX) $(ALLCXXFLAGS) $(STATIC) -o $@ $(MAIN_OBJ) $(LIBS_OURS) $(LIBS)

$(BUILD)/libformats.a: $(FORMATS_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libprogram.a: $(PROGRAM_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/%.o: %.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(ALLCXXFLAGS) -MMD -MP -c -o $@ $<

# XXH3 for AVX2 (formats/io/xxh3.hpp): only called where the CPU has it.
$(BUILD)/formats/io/xxh3_avx2.o: formats/io/xxh3_avx2.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(ALLCXXFLAGS) -mavx2 -MMD -MP -c -o $@ $<

# XXH3 for AVX-512, likewise: only called where the CPU has AVX-512F.  GCC 12's own
# avx512fintrin.h trips its uninitialized-value warnings (_mm512_undefined_*), hence the -Wno-.
$(BUILD)/formats/io/xxh3_avx512.o: formats/io/xxh3_avx512.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(ALLCXXFLAGS) -mavx512f -Wno-uninitialized -Wno-maybe-uninitialized -MMD -MP -c -o $@ $<

$(BUILD)/unit_tests: $(TEST_OBJ) $(LIBS_OURS)
	$(CXX) $(ALLCXXFLAGS) -o $@ $(TEST_OBJ) $(LIBS_OURS) $(LIBS)

# Test tools (sample volume generator, ...): tests/tools/make_sample_volume.cpp -> build/make-sample-volume
$(BUILD)/make-sample-volume: $(BUILD)/tests/tools/make_sample_volume.o $(SAMPLE_OBJ) $(LIBS_OURS)
	$(CXX) $(ALLCXXFLAGS) -o $@ $^ $(LIBS)

# For the fault tests (tests/e2e/t-faults.sh): the same objects linked dynamically, so that
# tests/faults/faultshim.so can stand between ddr and the C library (LD_PRELOAD).
$(BUILD)/ddr-dynamic: $(MAIN_OBJ) $(LIBS_OURS)
	$(CXX) $(ALLCXXFLAGS) -o $@ $(MAIN_OBJ) $(LIBS_OURS) $(LIBS)

$(BUILD)/faultshim.so: tests/faults/faultshim.c tests/faults/shim_env.h
	@mkdir -p $(dir $@)
	$(CC) -O2 -Wall -Wextra -Werror -shared -fPIC -o $@ $< -ldl

# Shadow files for tests/e2e/t-shadow.sh, made from a complete compressed image.
$(BUILD)/make-shadow-file: $(BUILD)/tests/tools/make_shadow_file.o $(BUILD)/tests/unit/shadow_maker.o $(BUILD)/tests/unit/support.o $(LIBS_OURS)
	$(CXX) $(ALLCXXFLAGS) -o $@ $^ $(LIBS)

# Simulated st tape drives for tests/e2e/t-drives.sh, preloaded the same way.
$(BUILD)/tapeshim.so: tests/faults/tapeshim.c tests/faults/shim_env.h
	@mkdir -p $(dir $@)
	$(CC) -O2 -Wall -Wextra -Werror -shared -fPIC -o $@ $< -ldl

tools: $(BUILD)/make-sample-volume $(BUILD)/make-shadow-file $(BUILD)/ddr-dynamic $(BUILD)/faultshim.so $(BUILD)/tapeshim.so

# Unit tests (doctest), the end-to-end scripts (which include the IBM DDR fixtures), then
# every fuzz target over its seed corpus and every saved fuzz finding (ASan + UBSan).
check: $(BIN) $(BUILD)/unit_tests tools
	tests/check-layers.py
	$(BUILD)/unit_tests
	BUILD=$(BUILD) tests/e2e/run-all.sh $(BIN)
	$(MAKE) fuzz-smoke

unit: $(BUILD)/unit_tests
	$(BUILD)/unit_tests

e2e: $(BIN) tools
	BUILD=$(BUILD) tests/e2e/run-all.sh $(BIN)

# The whole suite again under AddressSanitizer and UndefinedBehaviorSanitizer.
sanitize:
	$(MAKE) BUILD=build-san STATIC= OPT=-O1 \
	  EXTRA_CXXFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	  BIN=build-san/bin/ddr build-san/bin/ddr build-san/unit_tests tools
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 build-san/unit_tests
	DDR_SANITIZED=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 BUILD=build-san tests/e2e/run-all.sh build-san/bin/ddr

fuzz:
	tests/fuzz/build.sh

# The fuzz targets built and run over their seeds, and the saved findings replayed.
fuzz-smoke: fuzz
	tests/fuzz/run.sh --smoke
	tests/fuzz/run.sh --repro

demo: $(BIN) tools
	BUILD=$(BUILD) tests/demo.sh $(BIN)

bench: $(BIN) tools
	BUILD=$(BUILD) bench/run.sh $(BIN)

deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then echo "deps: everything is installed"; \
	elif [ "$$(id -u)" = 0 ]; then apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing; \
	else echo "deps: missing:$$missing"; echo "run: sudo apt-get update && sudo apt-get install -y$$missing"; exit 1; fi

# A stripped binary, the three man pages and the bash completion (tests/e2e/t-install.sh).
COMPLETIONS ?= $(PREFIX)/share/bash-completion/completions
install: $(BIN)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man5 \
	  $(DESTDIR)$(COMPLETIONS)
	install -m 755 -s $(BIN) $(DESTDIR)$(PREFIX)/bin/ddr
	install -m 644 man/ddr.1 $(DESTDIR)$(PREFIX)/share/man/man1/ddr.1
	install -m 644 man/ddrtape.5 $(DESTDIR)$(PREFIX)/share/man/man5/ddrtape.5
	install -m 644 man/ddrimage.5 $(DESTDIR)$(PREFIX)/share/man/man5/ddrimage.5
	install -m 644 completion/ddr.bash $(DESTDIR)$(COMPLETIONS)/ddr

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/ddr $(DESTDIR)$(PREFIX)/share/man/man1/ddr.1 \
	  $(DESTDIR)$(PREFIX)/share/man/man5/ddrtape.5 $(DESTDIR)$(PREFIX)/share/man/man5/ddrimage.5 \
	  $(DESTDIR)$(COMPLETIONS)/ddr

clean:
	rm -rf $(BUILD) build-san build-fuzz bin

-include $(DEPS)
