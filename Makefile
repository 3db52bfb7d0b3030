# amber — build, test, benchmark, demo. `make help` lists the targets.

CC      ?= cc
CFLAGS  ?= -O2 -g
WARN    := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter
CPPFLAGS += -I.
LIBS    := -lsqlite3 -larchive -lnettle -ljansson -lzstd -lz -lpthread -lm
SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

LIB_SRC   := $(sort $(wildcard core/*.c formats/*.c))
AMBER_SRC := $(sort $(wildcard cmd/amber/*.c))
AMBERD_SRC := $(sort $(wildcard cmd/amberd/*.c))
TEST_SRC  := $(sort $(wildcard tests/test_*.c))
TEST_SUPPORT := tests/support.c
FUZZ_SRC  := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SUPPORT := tests/fuzz/sql_fuzz.c

# Two object trees: build/rel for what ships, build/san for the sanitizer pass of `make test`.
rel_obj = $(patsubst %.c,build/rel/%.o,$(1))
san_obj = $(patsubst %.c,build/san/%.o,$(1))

TESTS_REL := $(patsubst tests/%.c,build/rel/tests/%,$(TEST_SRC))
TESTS_SAN := $(patsubst tests/%.c,build/san/tests/%,$(TEST_SRC))
FUZZERS   := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(FUZZ_SRC))
FUZZ_SECONDS ?= 20

.PHONY: all deps test test-unit test-e2e test-runtimes bench demo fuzz clean help format format-check

all: bin/amber bin/amberd

help:
	@echo "make            build bin/amber and bin/amberd"
	@echo "make test       install deps if missing, build, run unit + end-to-end tests, then again under ASan+UBSan"
	@echo "make demo       install deps if missing, build, bake the GeoNames sample into an image, verify, query"
	@echo "make test-runtimes  install deps if missing, build, run the images in real consumers: skopeo,"
	@echo "                umoci, oci-image-tool, runc, podman, containerd, dockerd, a local registry"
	@echo "                (root; private daemons; 'scripts/deps.sh --runtimes' installs the runtimes)"
	@echo "make bench      benchmarks against baselines (writes docs/benchmarks.md)"
	@echo "make fuzz       run every libFuzzer target for FUZZ_SECONDS (default $(FUZZ_SECONDS)) seconds each"
	@echo "make clean      remove build outputs"

build/rel/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) -MMD -MP -c $< -o $@

build/san/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(WARN) -O1 -g $(SAN) -MMD -MP -c $< -o $@

bin/amber: $(call rel_obj,$(AMBER_SRC) $(LIB_SRC))
	@mkdir -p bin
	$(CC) $(CFLAGS) -o $@ $^ $(LIBS)

# The server is linked statically: it is the only program in its image. It takes only the
# library objects it needs, so the image carries no archive or compression code. It hashes with
# core/sha256 instead of nettle (AMBER_DIGEST_BUILTIN); that changes the layout of
# struct digest_sha256, so all of its objects are built with the define, in their own tree.
AMBERD_LIB := core/server.c core/http.c core/api.c core/buf.c core/error.c core/digest.c core/value.c \
	formats/json.c formats/json_read.c core/sha256.c
amberd_obj = $(patsubst %.c,build/rel/amberd/%.o,$(1))

build/rel/amberd/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -DAMBER_DIGEST_BUILTIN $(WARN) $(CFLAGS) -MMD -MP -c $< -o $@

bin/amberd: $(call amberd_obj,$(AMBERD_SRC) $(AMBERD_LIB))
	@mkdir -p bin
	$(CC) $(CFLAGS) -static -s -o $@ $^ -lsqlite3 -lpthread -lm

# The sanitizer build of amber finds the (release) server beside it, as bin/amber does.
build/san/bin/amber: $(call san_obj,$(AMBER_SRC) $(LIB_SRC)) | bin/amberd
	@mkdir -p $(dir $@)
	$(CC) $(SAN) -o $@ $(filter %.o,$^) $(LIBS)
	ln -sf ../../../bin/amberd $(dir $@)amberd

build/rel/tests/%: build/rel/tests/%.o $(call rel_obj,$(TEST_SUPPORT) $(LIB_SRC))
	$(CC) $(CFLAGS) -o $@ $^ -lcmocka $(LIBS)

build/san/tests/%: build/san/tests/%.o $(call san_obj,$(TEST_SUPPORT) $(LIB_SRC))
	$(CC) $(SAN) -o $@ $^ -lcmocka $(LIBS)

# Fuzz targets: the library is compiled once with the fuzzer's coverage instrumentation, then
# each target links against those objects.
FUZZ_FLAGS := -std=c11 -D_GNU_SOURCE -g -O1
fuzz_obj = $(patsubst %.c,build/fuzz/obj/%.o,$(1))

build/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	clang $(CPPFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link,address,undefined -MMD -MP -c $< -o $@

build/fuzz/%: build/fuzz/obj/tests/fuzz/%.o $(call fuzz_obj,$(FUZZ_SUPPORT) $(LIB_SRC))
	clang -fsanitize=fuzzer,address,undefined -o $@ $^ $(LIBS)

# The row checksum tool of the SQL dump tests (tests/e2e/test_dumps.sh, scripts/make-fixtures.sh).
ROWSUM := build/rel/tests/tools/rowsum

$(ROWSUM): build/rel/tests/tools/rowsum.o build/rel/core/sha256.o
	$(CC) $(CFLAGS) -o $@ $^ -lm

deps:
	@scripts/deps.sh --if-missing

test: deps
	@$(MAKE) --no-print-directory format-check all $(TESTS_REL) build/san/bin/amber $(TESTS_SAN) $(FUZZERS) $(ROWSUM)
	@tests/run.sh

test-unit: all $(TESTS_REL)
	@tests/run.sh --unit-only

demo: deps
	@$(MAKE) --no-print-directory all
	@scripts/demo.sh

test-runtimes: deps
	@$(MAKE) --no-print-directory all
	@scripts/test-runtimes.sh

bench: deps
	@$(MAKE) --no-print-directory all
	@scripts/bench.sh

fuzz: deps
	@$(MAKE) --no-print-directory $(FUZZERS)
	@scripts/fuzz.sh $(FUZZ_SECONDS) $(FUZZERS)

FORMATTED := $(LIB_SRC) $(AMBER_SRC) $(AMBERD_SRC) $(TEST_SRC) $(TEST_SUPPORT) $(FUZZ_SRC) $(FUZZ_SUPPORT) \
	tests/tools/rowsum.c $(wildcard core/*.h formats/*.h cmd/*/*.h tests/*.h tests/fuzz/*.h)

format:
	clang-format -i $(FORMATTED)

format-check:
	@clang-format --dry-run -Werror $(FORMATTED) || { echo "run 'make format'"; exit 1; }

clean:
	rm -rf build bin

.SECONDARY:
-include $(shell find build -name '*.d' 2>/dev/null)
