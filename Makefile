# cisgate - plain Makefile. `make run` and `make test` install what is missing first.
#   make SANITIZER=address,undefined test-unit   builds into build-san/ with sanitizers
PREFIX   ?= /usr/local
DESTDIR  ?=
CC       ?= cc
SANITIZER ?=

PKGS_BUILD = gcc make pkg-config libmicrohttpd-dev libjansson-dev libyaml-dev libssl-dev \
             libcmocka-dev curl jq valgrind clang
PKGS_E2E   = docker.io busybox-static systemd

ifeq ($(SANITIZER),)
BUILD   := build
SANFLAGS :=
else
BUILD   := build-san
SANFLAGS := -fsanitize=$(SANITIZER) -fno-sanitize-recover=all -fno-omit-frame-pointer
endif

WARN    = -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes \
          -Wpointer-arith -Wcast-qual -Wvla -Wnull-dereference -Wimplicit-fallthrough
HARDEN  = -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE -fstack-clash-protection
CFLAGS  ?= -O2 -g
ALLCFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(HARDEN) $(CFLAGS) $(SANFLAGS) -Iinclude \
            $(shell pkg-config --cflags libmicrohttpd jansson yaml-0.1 2>/dev/null)
LDFLAGS_H = -pie -Wl,-z,relro,-z,now $(SANFLAGS)
LIBS    = $(shell pkg-config --libs libmicrohttpd jansson yaml-0.1 2>/dev/null) -lcrypto -lpthread

# The pure core (no libmicrohttpd): unit tests, fuzzers and `check` link this.
CORE    = str log envelope uri gojson docker rules policy eval decide audit
DAEMON  = http serve main
CORE_O  = $(CORE:%=$(BUILD)/%.o)
DAEMON_O = $(DAEMON:%=$(BUILD)/%.o)
HDRS    = $(wildcard include/cisgate/*.h)

.PHONY: all deps deps-e2e run test test-unit test-cases test-proto test-fuzz-replay \
        test-valgrind test-sanitize e2e bench fuzz plugin deb install format-check clean

all: $(BUILD)/cisgate

$(BUILD)/%.o: plugin/%.c $(HDRS) | $(BUILD)
	$(CC) $(ALLCFLAGS) -c -o $@ $<

$(BUILD):
	mkdir -p $(BUILD)

$(BUILD)/libcisgate.a: $(CORE_O)
	ar rcs $@ $^

$(BUILD)/cisgate: $(DAEMON_O) $(BUILD)/libcisgate.a
	$(CC) $(LDFLAGS_H) -o $@ $^ $(LIBS)

# Installs only what is missing; `apt-get update` once, before the first install.
deps:
	@tests/deps.sh $(PKGS_BUILD)

deps-e2e:
	@tests/deps.sh $(PKGS_E2E)

run: deps
	$(MAKE) all
	mkdir -p /run/docker/plugins /var/log/cisgate
	$(BUILD)/cisgate serve --policy policy/default.yaml

# --- tests -------------------------------------------------------------------------
UNIT_TESTS = test_envelope test_uri test_docker test_policy
UNIT_BIN   = $(UNIT_TESTS:%=$(BUILD)/%)

$(BUILD)/test_%: tests/unit/test_%.c $(BUILD)/libcisgate.a
	$(CC) $(ALLCFLAGS) -Wno-missing-prototypes -o $@ $< $(BUILD)/libcisgate.a $(LIBS) -lcmocka

$(BUILD)/cases: tests/cases/run_cases.c $(BUILD)/libcisgate.a
	$(CC) $(ALLCFLAGS) -o $@ $< $(BUILD)/libcisgate.a $(LIBS)

$(BUILD)/replay: tests/fuzz/replay.c tests/fuzz/harness.c $(BUILD)/libcisgate.a
	$(CC) $(ALLCFLAGS) -Wno-missing-prototypes -o $@ tests/fuzz/replay.c tests/fuzz/harness.c \
	    $(BUILD)/libcisgate.a $(LIBS)

test-unit: $(UNIT_BIN)
	@for t in $(UNIT_BIN); do echo "== $$t"; $$t || exit 1; done

test-cases: $(BUILD)/cases
	$(BUILD)/cases tests/cases

test-fuzz-replay: $(BUILD)/replay
	$(BUILD)/replay tests/fuzz/corpus

test-proto: $(BUILD)/cisgate
	tests/proto/run.sh $(BUILD)/cisgate

# The protocol tests and unit tests under valgrind: errors or leaks fail the run.
test-valgrind: $(BUILD)/cisgate $(UNIT_BIN) $(BUILD)/cases
	@for t in $(UNIT_BIN); do \
	  valgrind -q --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite,indirect $$t >/dev/null || exit 1; done
	valgrind -q --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite,indirect $(BUILD)/cases tests/cases >/dev/null
	VALGRIND=1 tests/proto/run.sh $(BUILD)/cisgate

test-sanitize:
	$(MAKE) SANITIZER=address,undefined CFLAGS="-O1 -g" test-unit test-cases test-fuzz-replay test-proto

e2e: deps-e2e $(BUILD)/cisgate
	tests/e2e/run.sh $(BUILD)/cisgate

test: deps
	$(MAKE) all
	$(MAKE) test-unit test-cases test-fuzz-replay test-proto
	$(MAKE) test-sanitize
	$(MAKE) test-valgrind
	$(MAKE) e2e
	@echo "make test: all suites passed"

clean:
	rm -rf build build-san build-fuzz dist

# --- fuzzing (clang's libFuzzer) ------------------------------------------------------
# make fuzz FUZZ_SECONDS=60: each harness runs that long on a scratch copy of its corpus;
# crashes land in build-fuzz/; copy them into tests/fuzz/corpus/<harness>/ to keep them.
FUZZ_SECONDS ?= 30
FUZZERS = envelope uri policy decide
FUZZ_SRC = $(CORE:%=plugin/%.c) tests/fuzz/harness.c tests/fuzz/fuzz_main.c
FUZZ_CFLAGS = -std=c11 -D_GNU_SOURCE -g -O1 -Iinclude -Itests/fuzz \
              -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all

build-fuzz/fuzz_%: $(FUZZ_SRC) $(HDRS)
	mkdir -p build-fuzz
	clang $(FUZZ_CFLAGS) -DHARNESS=fuzz_$* -o $@ $(FUZZ_SRC) $(LIBS)

fuzz: deps $(FUZZERS:%=build-fuzz/fuzz_%)
	@for f in $(FUZZERS); do \
	  rm -rf build-fuzz/corpus-$$f; cp -r tests/fuzz/corpus/$$f build-fuzz/corpus-$$f; \
	  echo "== fuzz_$$f for $(FUZZ_SECONDS)s"; \
	  (cd build-fuzz && ./fuzz_$$f -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -rss_limit_mb=2048 \
	     -print_final_stats=1 corpus-$$f > fuzz_$$f.log 2>&1); rc=$$?; \
	  grep -E '^(stat::number_of_executed_units|stat::new_units_added|==[0-9]+==|SUMMARY)' build-fuzz/fuzz_$$f.log; \
	  [ $$rc = 0 ] || { echo "fuzz_$$f found a crash: see build-fuzz/fuzz_$$f.log"; exit 1; }; \
	done

# --- packaging --------------------------------------------------------------------------
plugin: $(BUILD)/cisgate
	packaging/plugin/build.sh $(BUILD)/cisgate dist/plugin
