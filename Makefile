# Pelorus -- build, test, sanitizer check, benchmarks and fuzz targets.
#   make          library and command into build/
#   make test     every test (unit, golden, peer comparison, fuzz corpus replay)
#   make check    the same tests built with AddressSanitizer + UBSan (build-san/)
#   make bench    benchmarks (not part of the tests)
#   make fuzz     libFuzzer targets with clang (build-fuzz/)
#   make golden   regenerate tests/golden/*.out, tests/golden/scan/* and the settings table of
#                 docs/findings.md (from src/detect/detectors.c) for review (git diff them!)

CC      ?= gcc
BUILD   ?= build
OPT     ?= -O3
CFLAGS  ?= $(OPT) -g
WARN    := -std=c17 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wno-missing-field-initializers
CPPFLAGS += -Iinclude -Isrc \
            -I/usr/include/libxml2 -D_POSIX_C_SOURCE=200809L \
            -DPEL_DATADIR='"$(CURDIR)/data"' \
            -I/usr/include/postgresql -I$(BUILD)/gen
LDLIBS  := -lsqlite3 -lpq -lzip -lhogweed -lnettle -lcsv -ljansson -lxml2 -lzstd -lz -lm

ifeq ($(SAN),1)
  BUILD   := build-san
  CFLAGS  := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
  LDFLAGS += -fsanitize=address,undefined
endif

LIB_SRC := $(wildcard src/decode/*.c src/io/*.c src/util/*.c src/track/*.c src/store/*.c src/ingest/*.c src/report/*.c src/geo/*.c src/findings/*.c src/detect/*.c src/screen/*.c src/scan/*.c src/encode/*.c src/sim/*.c src/eval/*.c src/live/*.c src/case/*.c)
CLI_SRC := $(wildcard src/cli/*.c)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
HDRS    := $(wildcard include/*.h src/*/*.h)

UNIT_SRC := $(wildcard tests/unit_*.c)
UNIT_BIN := $(UNIT_SRC:tests/%.c=$(BUILD)/tests/%)

.PHONY: all test test-all check bench fuzz fuzz-run golden clean tools format format-check
all: $(BUILD)/pelorus $(BUILD)/libpelorus.a

$(BUILD)/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) -c $< -o $@

# the PostgreSQL schema and its migrations, embedded in the backend
# (pg_open.c) as C strings: src/store/pg_X.sql as pg_X_sql[]
PG_SQL_H := $(patsubst src/store/%.sql,$(BUILD)/gen/%_sql.h,src/store/pg_schema.sql $(wildcard src/store/pg_migrate_*.sql))
$(BUILD)/gen/pg_%_sql.h: src/store/pg_%.sql
	@mkdir -p $(dir $@)
	{ echo 'static const char pg_$*_sql[] = {'; od -An -v -tx1 $< | sed 's/\([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	  echo '0};'; } >$@.tmp && mv $@.tmp $@

$(BUILD)/src/store/pg_open.o: $(PG_SQL_H)

$(BUILD)/libpelorus.a: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@rm -f $@  # not ar's update: an object whose source is gone must leave the archive too
	$(AR) rcs $@ $^

$(BUILD)/pelorus: $(CLI_OBJ) $(BUILD)/libpelorus.a
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libpelorus.a $(LDLIBS)

$(BUILD)/tests/%: tests/%.c $(BUILD)/libpelorus.a $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libpelorus.a $(LDLIBS)

$(BUILD)/peer_compare: tests/peer_compare.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CFLAGS) $(LDFLAGS) -o $@ $< -ljansson

$(BUILD)/segment_gfw: tests/segment_gfw.c $(BUILD)/libpelorus.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libpelorus.a $(LDLIBS)

$(BUILD)/resume_check: tests/resume_check.c $(BUILD)/libpelorus.a $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libpelorus.a $(LDLIBS)

$(BUILD)/fuzz_replay: fuzz/fuzz_decode.c fuzz/replay_main.c $(BUILD)/libpelorus.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) $(LDFLAGS) -o $@ fuzz/fuzz_decode.c fuzz/replay_main.c $(BUILD)/libpelorus.a $(LDLIBS)

tools: $(BUILD)/pelorus $(UNIT_BIN) $(BUILD)/peer_compare $(BUILD)/fuzz_replay $(BUILD)/segment_gfw $(BUILD)/resume_check

test: tools
	BUILD=$(BUILD) tests/run.sh

check:
	$(MAKE) SAN=1 test

# every C file of the repository against .clang-format: format-check says
# which differ (the test run calls it), format rewrites them
FORMAT_FILES = $(shell git ls-files '*.c' '*.h' 2>/dev/null || find include src tests bench fuzz -name '*.[ch]')
CLANG_FORMAT ?= clang-format
format-check:
	@$(CLANG_FORMAT) --style=file --dry-run -Werror $(FORMAT_FILES) && echo "format-check: $(words $(FORMAT_FILES)) files as .clang-format wants"

format:
	$(CLANG_FORMAT) --style=file -i $(FORMAT_FILES)

# what the README and CI run: both builds
test-all:
	scripts/test.sh

golden: $(BUILD)/pelorus $(BUILD)/tests/unit_detectors
	BUILD=$(BUILD) tests/golden.sh --update
	BUILD=$(BUILD) tests/scan_golden.sh --update
	$(BUILD)/tests/unit_detectors --update-docs

bench: $(BUILD)/pelorus
	@mkdir -p $(BUILD)
	$(CC) -O2 -std=c17 -Wall -Wextra -o $(BUILD)/gen_nmea bench/gen_nmea.c -lm
	bench/decode_bench.sh $(BUILD)/pelorus $(BENCH_N)
	bench/ingest_bench.sh $(BUILD)/pelorus
	bench/scan_bench.sh $(BUILD)/pelorus $(BENCH_BASE)
	bench/sim_bench.sh $(BUILD)/pelorus
	bench/report_bench.sh $(BUILD)/pelorus
	bench/watch_bench.sh $(BUILD)/pelorus
	bench/pg_bench.sh $(BUILD)/pelorus
	bench/pg_bench.sh $(BUILD)/pelorus 3000000 10000 1
	$(CC) -O2 -std=c17 $(CPPFLAGS) -o $(BUILD)/match_bench bench/match_bench.c $(BUILD)/libpelorus.a $(LDLIBS)
	$(BUILD)/match_bench

FUZZ_CFLAGS := -O1 -g -fsanitize=fuzzer,address,undefined -std=c17 $(CPPFLAGS)
fuzz: $(PG_SQL_H)
	@mkdir -p build-fuzz
	clang $(FUZZ_CFLAGS) -o build-fuzz/fuzz_decode fuzz/fuzz_decode.c $(LIB_SRC) $(LDLIBS)
	@echo "run: build-fuzz/fuzz_decode -max_total_time=600 build-fuzz/corpus fuzz/corpus"

fuzz-run: fuzz
	@mkdir -p build-fuzz/corpus
	build-fuzz/fuzz_decode -max_total_time=$${FUZZ_SECONDS:-600} -print_final_stats=1 build-fuzz/corpus fuzz/corpus

clean:
	rm -rf build build-san build-fuzz
