# cisgate - plain Makefile. `make run` and `make test` install what is missing first.
#   make SANITIZER=address,undefined test-unit   builds into build-san/ with sanitizers
MAKEFLAGS += --no-print-directory
PREFIX   ?= /usr/local
DESTDIR  ?=
CC       ?= cc
SANITIZER ?=

PKGS_BUILD = gcc make pkg-config libmicrohttpd-dev libjansson-dev libyaml-dev libssl-dev \
             libcurl4-openssl-dev
PKGS_TEST  = libcmocka-dev curl jq valgrind clang systemd procps perl
PKGS_E2E   = docker.io busybox-static

ifeq ($(SANITIZER),)
BUILD   := build
SANFLAGS :=
else
BUILD   := build-san
# The JSON arena would hide jansson's allocations from ASan: each gets its own there.
SANFLAGS := -fsanitize=$(SANITIZER) -fno-sanitize-recover=all -fno-omit-frame-pointer -DCG_NO_ARENA
endif

WARN    = -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes \
          -Wpointer-arith -Wcast-qual -Wvla -Wnull-dereference -Wimplicit-fallthrough
HARDEN  = -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE -fstack-clash-protection
CFLAGS  ?= -O2 -g
ALLCFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(HARDEN) $(CFLAGS) $(SANFLAGS) -Iinclude \
            $(shell pkg-config --cflags libmicrohttpd jansson yaml-0.1 libcurl 2>/dev/null)
LDFLAGS_H = -pie -Wl,-z,relro,-z,now $(SANFLAGS)
LIBS    = $(shell pkg-config --libs libmicrohttpd jansson yaml-0.1 libcurl 2>/dev/null) -lcrypto -lpthread

# The pure core (no libmicrohttpd): unit tests, fuzzers and `check` link this.
CORE    = str log path tls jsonmem digest envelope uri gojson docker rules policy eval decide audit dockerc facts lookup hostpath hostview pyaml exemption
DAEMON  = http serve main
CORE_O  = $(CORE:%=$(BUILD)/%.o)
DAEMON_O = $(DAEMON:%=$(BUILD)/%.o)
HDRS    = $(wildcard include/cisgate/*.h)

.PHONY: all deps deps-test deps-e2e run test test-pkg fuzz-run test-unit test-cases test-inventory test-proto test-fuzz-replay \
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

deps-test:
	@tests/deps.sh $(PKGS_TEST)

deps-e2e:
	@tests/deps.sh $(PKGS_E2E)

run: deps
	$(MAKE) all
	mkdir -p /run/docker/plugins /var/log/cisgate
	$(BUILD)/cisgate serve --policy policy/default.yaml

# --- tests -------------------------------------------------------------------------
UNIT_TESTS = test_str test_jsonmem test_envelope test_uri test_docker test_policy test_dockerc test_hostpath test_hostview test_alloc
UNIT_BIN   = $(UNIT_TESTS:%=$(BUILD)/%)

$(BUILD)/test_%: tests/unit/test_%.c $(BUILD)/libcisgate.a
	$(CC) $(ALLCFLAGS) -Wno-missing-prototypes -o $@ $< $(BUILD)/libcisgate.a $(LIBS) -lcmocka

$(BUILD)/cases: tests/cases/run_cases.c $(BUILD)/libcisgate.a
	$(CC) $(ALLCFLAGS) -o $@ $< $(BUILD)/libcisgate.a $(LIBS)

$(BUILD)/replay: tests/fuzz/replay.c tests/fuzz/harness.c $(BUILD)/libcisgate.a
	$(CC) $(ALLCFLAGS) -Wno-missing-prototypes -o $@ tests/fuzz/replay.c tests/fuzz/harness.c \
	    $(BUILD)/libcisgate.a $(LIBS)

# Fails the Nth allocation of cisgate's objects (malloc, calloc, realloc, strdup).
$(BUILD)/test_alloc: tests/unit/test_alloc.c $(BUILD)/libcisgate.a
	$(CC) $(ALLCFLAGS) -Wno-missing-prototypes \
	    -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup \
	    -o $@ $< $(BUILD)/libcisgate.a $(LIBS) -lcmocka

test-unit: $(UNIT_BIN)
	@for t in $(UNIT_BIN); do echo "== $$t"; $$t || exit 1; done

test-cases: $(BUILD)/cases
	$(BUILD)/cases tests/cases

# Every route of plugin/uri.c documented in docs/routes.md and tested in test_uri.c.
$(BUILD)/routes_dump: tests/inventory/routes_dump.c $(BUILD)/libcisgate.a
	$(CC) $(ALLCFLAGS) -o $@ $< $(BUILD)/libcisgate.a $(LIBS)

test-inventory: $(BUILD)/routes_dump $(BUILD)/test_uri
	tests/inventory/check_routes.sh $(BUILD)

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

test: deps deps-test
	$(MAKE) all
	$(MAKE) test-unit test-cases test-inventory test-fuzz-replay test-proto
	$(MAKE) test-sanitize
	$(MAKE) test-valgrind
	$(MAKE) test-reliability
	$(MAKE) test-pkg
	$(MAKE) e2e

clean:
	rm -rf build build-san build-fuzz build-deb dist

# --- fuzzing (clang's libFuzzer) ------------------------------------------------------
# make fuzz FUZZ_SECONDS=60: each harness runs that long on a scratch copy of its corpus;
# crashes land in build-fuzz/; copy them into tests/fuzz/corpus/<harness>/ to keep them.
FUZZ_SECONDS ?= 30
FUZZERS = envelope uri policy decide
FUZZ_SRC = $(CORE:%=plugin/%.c) tests/fuzz/harness.c tests/fuzz/fuzz_main.c
FUZZ_CFLAGS = -std=c11 -D_GNU_SOURCE -g -O1 -Iinclude -Itests/fuzz \
              -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -DCG_NO_ARENA

build-fuzz/fuzz_%: $(FUZZ_SRC) $(HDRS)
	mkdir -p build-fuzz
	clang $(FUZZ_CFLAGS) -DHARNESS=fuzz_$* -o $@ $(FUZZ_SRC) $(LIBS)

fuzz: deps deps-test
	$(MAKE) $(FUZZERS:%=build-fuzz/fuzz_%)
	@$(MAKE) fuzz-run

fuzz-run:
	@for f in $(FUZZERS); do \
	  rm -rf build-fuzz/corpus-$$f; cp -r tests/fuzz/corpus/$$f build-fuzz/corpus-$$f; \
	  echo "== fuzz_$$f for $(FUZZ_SECONDS)s"; \
	  (cd build-fuzz && ./fuzz_$$f -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -rss_limit_mb=2048 \
	     -print_final_stats=1 corpus-$$f > fuzz_$$f.log 2>&1); rc=$$?; \
	  grep -E '^(stat::number_of_executed_units|stat::new_units_added|==[0-9]+==|SUMMARY)' build-fuzz/fuzz_$$f.log; \
	  [ $$rc = 0 ] || { echo "fuzz_$$f found a crash: see build-fuzz/fuzz_$$f.log"; exit 1; }; \
	done

# --- packaging --------------------------------------------------------------------------
plugin: deps
	$(MAKE) all
	packaging/plugin/build.sh $(BUILD)/cisgate dist/plugin

SBINDIR = $(PREFIX)/sbin
UNITDIR ?= $(PREFIX)/lib/systemd/system

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)/etc/cisgate $(DESTDIR)$(UNITDIR) \
	    $(DESTDIR)$(PREFIX)/share/cisgate/policy $(DESTDIR)$(PREFIX)/share/man/man8 \
	    $(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)/etc/logrotate.d \
	    $(DESTDIR)$(PREFIX)/share/doc/cisgate/examples
	install -d -m 0750 $(DESTDIR)/var/log/cisgate
	install -m 0755 $(BUILD)/cisgate $(DESTDIR)$(SBINDIR)/cisgate
	install -m 0644 policy/default.yaml $(DESTDIR)/etc/cisgate/policy.yaml
	install -m 0644 policy/*.yaml policy/README.md $(DESTDIR)$(PREFIX)/share/cisgate/policy/
	install -m 0644 docs/cisgate.8 $(DESTDIR)$(PREFIX)/share/man/man8/
	install -m 0644 docs/cisgate-policy.5 $(DESTDIR)$(PREFIX)/share/man/man5/
	install -m 0644 packaging/logrotate/cisgate $(DESTDIR)/etc/logrotate.d/cisgate
	install -m 0644 packaging/systemd/cisgate.socket $(DESTDIR)$(UNITDIR)/
	sed 's#@SBINDIR@#$(SBINDIR)#' packaging/systemd/cisgate.service.in > $(DESTDIR)$(UNITDIR)/cisgate.service
	install -m 0644 packaging/daemon.json $(DESTDIR)$(PREFIX)/share/doc/cisgate/examples/

PKGS_DEB = debhelper dpkg-dev fakeroot build-essential

# A .deb built with Debian's own tools; the result lands in dist/.
deb: deps
	@tests/deps.sh $(PKGS_DEB)
	rm -rf build-deb && mkdir -p build-deb/cisgate dist
	git ls-files -z | xargs -0 -I{} cp --parents {} build-deb/cisgate/ 2>/dev/null || \
	    tar --exclude=./build* --exclude=./dist --exclude=./.git -cf - . | tar -C build-deb/cisgate -xf -
	cp -r packaging/debian build-deb/cisgate/debian
	cd build-deb/cisgate && dpkg-buildpackage -us -uc -b
	mv build-deb/*.deb dist/ && rm -rf build-deb
	@ls dist/*.deb

$(BUILD)/load: tests/bench/load.c | $(BUILD)
	$(CC) -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -pthread -o $@ $<

# Reload under load, kill -9 under socket activation, idle clients, a 1M-request soak.
test-reliability: $(BUILD)/cisgate $(BUILD)/load
	tests/reliability/run.sh $(BUILD)/cisgate $(BUILD)/load

test-pkg: deb plugin
	tests/pkg/run.sh

# --- performance ------------------------------------------------------------------------
$(BUILD)/floor: tests/bench/reference/floor.c | $(BUILD)
	$(CC) -O2 -o $@ $< -lmicrohttpd -ljansson -lcrypto

$(BUILD)/lightspeed: tests/bench/reference/lightspeed.c | $(BUILD)
	$(CC) -O2 -pthread -o $@ $<

$(BUILD)/recorder: tests/bench/recorder.c | $(BUILD)
	$(CC) -O2 -o $@ $< -lmicrohttpd

$(BUILD)/micro: tests/bench/micro.c $(BUILD)/libcisgate.a
	$(CC) $(ALLCFLAGS) -Wno-missing-prototypes -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc \
	    -o $@ $< $(BUILD)/libcisgate.a $(LIBS)

bench: deps deps-test
	$(MAKE) all $(BUILD)/load $(BUILD)/floor $(BUILD)/lightspeed $(BUILD)/micro $(BUILD)/recorder
	tests/bench/run.sh $(BUILD)
