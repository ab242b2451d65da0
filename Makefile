# cisgate - plain Makefile. `make run` and `make test` install what is missing first.
#   make SANITIZER=address,undefined test   every suite against binaries built into build-san/
#   make test-tsan                         protocol and reliability suites under ThreadSanitizer
#   make format-check                      sources against .clang-format (FORMAT_CHECK=1 test)
MAKEFLAGS += --no-print-directory
PREFIX   ?= /usr/local
DESTDIR  ?=
CC       ?= cc
SANITIZER ?=

PKGS_BUILD = gcc make pkg-config libmicrohttpd-dev libjansson-dev libyaml-dev libssl-dev \
             zlib1g-dev
PKGS_TEST  = libcmocka-dev curl jq valgrind clang clang-format systemd procps perl logrotate \
             python3-jsonschema python3-yaml prometheus rsyslog ansible-core openssl
PKGS_E2E   = docker.io busybox-static

FORMAT_CHECK ?=

# The JSON arena stays in sanitized builds: under ASan it poisons what it has not handed
# out (jsonmem.c), so the daemon that is tested allocates as the one that ships.
ifeq ($(SANITIZER),)
BUILD   := build
SANFLAGS :=
else ifeq ($(SANITIZER),thread)
BUILD   := build-tsan
SANFLAGS := -fsanitize=thread -fno-omit-frame-pointer
else
BUILD   := build-san
SANFLAGS := -fsanitize=$(SANITIZER) -fno-sanitize-recover=all -fno-omit-frame-pointer
endif

WARN    = -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes \
          -Wpointer-arith -Wcast-qual -Wvla -Wnull-dereference -Wimplicit-fallthrough
HARDEN  = -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE -fstack-clash-protection
CFLAGS  ?= -O2 -g
ALLCFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(HARDEN) $(CFLAGS) $(SANFLAGS) -Iinclude \
            $(shell pkg-config --cflags libmicrohttpd jansson yaml-0.1 zlib 2>/dev/null)
LDFLAGS_H = -pie -Wl,-z,relro,-z,now $(SANFLAGS)
LIBS    = $(shell pkg-config --libs libmicrohttpd jansson yaml-0.1 zlib 2>/dev/null) -lcrypto -lpthread

# The pure core (no libmicrohttpd): unit tests, fuzzers and `check` link this.
CORE    = str log path tls jsonmem digest envelope uri gojson docker rules policy eval decide audit audit_verify checkpoint polstore dockerc facts lookup hostpath hostview pyaml exemption auditdiff cves daemonver checkout compose schema suite report passwd policysig metrics judged
DAEMON  = answer place flusher http serve lint main policycmd metricsd
CORE_O  = $(CORE:%=$(BUILD)/%.o)
DAEMON_O = $(DAEMON:%=$(BUILD)/%.o)
HDRS    = $(wildcard include/cisgate/*.h)

.PHONY: all deps deps-test deps-e2e run demo test-demo test-docs man test test-pkg test-systemd fuzz-run test-unit test-cases \
        test-inventory test-proto test-fuzz-replay test-schema test-valgrind test-sanitize test-tsan e2e \
        e2e-sidedoors e2e-state e2e-rollout e2e-cves e2e-fleet test-fleet-recipe e2e-tools test-policy-suites test-tools report-demo bench fuzz \
        plugin deb install \
        format-check clean FORCE

all: $(BUILD)/cisgate

# Rewritten only when the flags change (test-sanitize builds -O1, `make SANITIZER=...` -O2
# into the same directory): everything compiled depends on it, so nothing stale is linked.
FLAGS = $(BUILD)/.flags
$(FLAGS): FORCE | $(BUILD)
	@echo '$(CC) $(ALLCFLAGS) $(LDFLAGS_H)' | cmp -s - $@ || echo '$(CC) $(ALLCFLAGS) $(LDFLAGS_H)' > $@

$(BUILD)/%.o: plugin/%.c $(HDRS) $(FLAGS) | $(BUILD)
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

# make run SOCKET=... POLICY=... AUDIT_FILE=...: where dockerd finds the plugin, the policy,
# and the audit log in place of the policy's audit.file ("" keeps the policy's).
SOCKET     ?= /run/docker/plugins/cisgate.sock
POLICY     ?= policy/default.yaml
AUDIT_FILE ?= /var/log/cisgate/audit.log
run: deps
	$(MAKE) all
	mkdir -p $(dir $(SOCKET)) $(if $(AUDIT_FILE),$(dir $(AUDIT_FILE)))
	$(BUILD)/cisgate serve --socket $(SOCKET) --policy $(POLICY) \
	    $(if $(AUDIT_FILE),--audit-file $(AUDIT_FILE))

# A private dockerd judged by cisgate in a temporary directory; Ctrl-C removes it all.
demo: deps deps-e2e
	$(MAKE) all
	tools/demo.sh $(BUILD)/cisgate $(POLICY)

# make demo run in the background, used through its DOCKER_HOST line, stopped with SIGINT.
test-demo: deps-e2e
	tests/e2e/demo_test.sh

# --- tests -------------------------------------------------------------------------
# In sanitized builds the daemon suites run under tests/sanrun.sh: every report lands in a
# file under $(BUILD)/reports/SUITE and any file there fails the suite, so a report from a
# process whose exit status no check reads (a daemon stopped with kill) is not lost.
sanrun = $(if $(SANITIZER),tests/sanrun.sh $(BUILD)/reports/$(1))
UNIT_TESTS = test_str test_jsonmem test_envelope test_uri test_docker test_policy test_dockerc test_hostpath test_hostview test_alloc test_routes test_shadow test_audit test_compose test_passwd test_metrics test_judged
UNIT_BIN   = $(UNIT_TESTS:%=$(BUILD)/%)

$(BUILD)/test_%: tests/unit/test_%.c $(BUILD)/libcisgate.a $(FLAGS)
	$(CC) $(ALLCFLAGS) -Wno-missing-prototypes -o $@ $< $(BUILD)/libcisgate.a $(LIBS) -lcmocka

$(BUILD)/cases: tests/cases/run_cases.c $(BUILD)/libcisgate.a $(FLAGS)
	$(CC) $(ALLCFLAGS) -o $@ $< $(BUILD)/libcisgate.a $(LIBS)

$(BUILD)/replay: tests/fuzz/replay.c tests/fuzz/harness.c tests/fuzz/harness.h $(BUILD)/libcisgate.a $(FLAGS)
	$(CC) $(ALLCFLAGS) -Wno-missing-prototypes -o $@ tests/fuzz/replay.c tests/fuzz/harness.c \
	    $(BUILD)/libcisgate.a $(LIBS)

# Fails the Nth allocation of cisgate's objects (malloc, calloc, realloc, strdup).
$(BUILD)/test_alloc: tests/unit/test_alloc.c $(BUILD)/libcisgate.a $(FLAGS)
	$(CC) $(ALLCFLAGS) -Wno-missing-prototypes \
	    -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup \
	    -o $@ $< $(BUILD)/libcisgate.a $(LIBS) -lcmocka

test-unit: $(UNIT_BIN)
	@for t in $(UNIT_BIN); do echo "== $$t"; $$t || exit 1; done

test-cases: $(BUILD)/cases
	$(BUILD)/cases tests/cases

# Every route of plugin/uri.c documented in docs/routes.md and tested in test_uri.c.
$(BUILD)/routes_dump: tests/inventory/routes_dump.c $(BUILD)/libcisgate.a $(FLAGS)
	$(CC) $(ALLCFLAGS) -o $@ $< $(BUILD)/libcisgate.a $(LIBS)

test-inventory: $(BUILD)/routes_dump $(BUILD)/test_uri
	tests/inventory/check_routes.sh $(BUILD)
	tests/inventory/check_fields.sh

# The policy's JSON Schema (cisgate schema) against every shipped and test policy and
# every lint error case, with Debian's python3-jsonschema (tests/schema/check.py).
test-schema: $(BUILD)/cisgate
	/usr/bin/python3 tests/schema/check.py $(BUILD)/cisgate

# The shipped policies' own test suites (policy/tests/README.md), as a team's CI runs them.
test-policy-suites: $(BUILD)/cisgate
	$(BUILD)/cisgate test policy/tests/*.yaml

# check, test and report offline, on what an e2e run produced (tests/fixtures/e2e/).
test-tools: $(BUILD)/cisgate
	tests/tools/run.sh $(BUILD)/cisgate

test-fuzz-replay: $(BUILD)/replay
	$(BUILD)/replay tests/fuzz/corpus

test-proto: $(BUILD)/cisgate $(BUILD)/fakedockerd $(BUILD)/slowsync.so
	$(call sanrun,proto) tests/proto/run.sh $(BUILD)/cisgate
	$(call sanrun,proto-audit) tests/proto/audit.sh $(BUILD)/cisgate
	$(call sanrun,proto-policysig) tests/proto/policysig.sh $(BUILD)/cisgate
	$(call sanrun,proto-metrics) tests/proto/metrics.sh $(BUILD)/cisgate

# The protocol tests and unit tests under valgrind: errors or leaks fail the run.
test-valgrind: $(BUILD)/cisgate $(UNIT_BIN) $(BUILD)/cases
	@for t in $(UNIT_BIN); do \
	  valgrind -q --fair-sched=try --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite,indirect $$t >/dev/null || exit 1; done
	valgrind -q --fair-sched=try --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite,indirect $(BUILD)/cases tests/cases >/dev/null
	VALGRIND=1 tests/proto/run.sh $(BUILD)/cisgate

test-sanitize:
	$(MAKE) SANITIZER=address,undefined CFLAGS="-O1 -g" test-unit test-cases test-fuzz-replay test-proto

# ThreadSanitizer over the suites that run threads (workers, the audit flusher, reloads);
# any report fails (halt_on_error, tests/sanrun.sh). To keep make test short the soak runs
# TSAN_SOAK requests, not a million (TSan: ~15k requests/s here; TSAN_SOAK=1000000 makes
# all of test-tsan take about two minutes).
TSAN_SOAK ?= 200000
test-tsan:
	$(MAKE) SANITIZER=thread CFLAGS="-O1 -g" SOAK_REQUESTS=$(TSAN_SOAK) test-proto test-reliability

e2e: deps-e2e $(BUILD)/cisgate
	$(call sanrun,e2e) tests/e2e/run.sh $(BUILD)/cisgate

# The README's roll-out steps against a real dockerd: audit mode, exemptions, enforce, shadow.
e2e-rollout: deps-e2e $(BUILD)/cisgate
	$(call sanrun,e2e-rollout) tests/e2e/rollout.sh $(BUILD)/cisgate

# Every side door of docs/routes.md shown open without cisgate and closed with it.
e2e-sidedoors: deps-e2e $(BUILD)/cisgate
	$(call sanrun,e2e-sidedoors) tests/e2e/sidedoors.sh $(BUILD)/cisgate

# issue 18: the daemon-cves entries that apply to the dockerd here deny what reaches them.
e2e-cves: deps-e2e $(BUILD)/cisgate
	$(call sanrun,e2e-cves) tests/e2e/cves.sh $(BUILD)/cisgate

# docker-compose up behind cisgate against `check`, docker inspect through check, and the
# report of the run's audit log in headless chromium (tests/e2e/tools.sh).
PKGS_TOOLS = docker-compose chromium python3-jsonschema
e2e-tools: deps-e2e $(BUILD)/cisgate
	@tests/deps.sh $(PKGS_TOOLS)
	$(call sanrun,e2e-tools) tests/e2e/tools.sh $(BUILD)/cisgate

# The report of the e2e run kept in tests/fixtures/e2e/, screenshot by headless chromium
# into docs/report.png (the README shows it).
report-demo: $(BUILD)/cisgate
	@tests/deps.sh chromium
	$(BUILD)/cisgate report --policy tests/fixtures/e2e/policy.yaml --insecure-policy \
	    tests/fixtures/e2e/audit.log > $(BUILD)/report-demo.html
	rm -rf $(BUILD)/chromium-demo
	chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
	    --disable-javascript --user-data-dir=$(BUILD)/chromium-demo --hide-scrollbars \
	    --window-size=820,1500 --screenshot=docs/report.png $(BUILD)/report-demo.html
	rm -rf $(BUILD)/chromium-demo
	@echo "report: $(BUILD)/report-demo.html, screenshot: docs/report.png"

# Issue 14: the container that will run, judged through cisgate's lookups in dockerd.
e2e-state: deps-e2e $(BUILD)/cisgate
	$(call sanrun,e2e-state) tests/e2e/state.sh $(BUILD)/cisgate

# issue 17: two dockerds and two cisgates with one signed policy, records to one rsyslogd.
e2e-fleet: deps-e2e $(BUILD)/cisgate
	$(call sanrun,e2e-fleet) tests/e2e/fleet.sh $(BUILD)/cisgate

# The Ansible role (packaging/ansible): syntax, a run and a --check run into a throwaway root.
test-fleet-recipe: $(BUILD)/cisgate
	tests/pkg/ansible.sh $(BUILD)/cisgate

# `make test SANITIZER=...` runs every suite against the sanitized binaries instead (the
# packages are built plain: they are what ships).
test: deps deps-test
	$(MAKE) all
ifeq ($(FORMAT_CHECK),1)
	$(MAKE) format-check
endif
	$(MAKE) test-unit test-cases test-policy-suites test-schema test-tools test-inventory \
	    test-fuzz-replay test-proto test-docs
ifeq ($(SANITIZER),)
	$(MAKE) test-sanitize
	$(MAKE) test-tsan
	$(MAKE) test-valgrind
else
	@echo "valgrind skipped under SANITIZER"
endif
	$(MAKE) test-reliability
	$(MAKE) SANITIZER= test-pkg test-systemd
	$(MAKE) e2e
	$(MAKE) e2e-sidedoors
	$(MAKE) e2e-state
	$(MAKE) e2e-rollout
	$(MAKE) e2e-cves
	$(MAKE) e2e-fleet
	$(MAKE) test-fleet-recipe
	$(MAKE) test-demo
	$(MAKE) e2e-tools

# cisgate-policy(5) is generated from policy/README.md: one text, no drift.
man:
	tools/md2man.pl policy/README.md > docs/cisgate-policy.5

test-docs: | $(BUILD)
	tools/md2man.pl policy/README.md > $(BUILD)/cisgate-policy.5
	@diff -u docs/cisgate-policy.5 $(BUILD)/cisgate-policy.5 >/dev/null || \
	    { echo "docs/cisgate-policy.5 is stale: policy/README.md changed; run make man"; exit 1; }
	@out=$$(groff -man -Tutf8 -ww -z docs/cisgate-policy.5 2>&1); \
	    if [ -n "$$out" ]; then echo "$$out"; exit 1; fi
	@echo "docs/cisgate-policy.5 matches policy/README.md"

# Every tracked C file under plugin/ include/ tests/ against clang-format's output.
format-check:
	@tests/format-check.sh

clean:
	rm -rf build build-san build-tsan build-fuzz build-deb dist

# --- fuzzing (clang's libFuzzer) ------------------------------------------------------
# make fuzz FUZZ_SECONDS=60: each harness runs that long on a scratch copy of its corpus;
# crashes land in build-fuzz/; copy them into tests/fuzz/corpus/<harness>/ to keep them.
FUZZ_SECONDS ?= 30
FUZZERS = envelope uri policy decide compose
FUZZ_SRC = $(CORE:%=plugin/%.c) tests/fuzz/harness.c tests/fuzz/fuzz_main.c
FUZZ_CFLAGS = -std=c11 -D_GNU_SOURCE -g -O1 -Iinclude -Itests/fuzz \
              -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all

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

# The shipped policies name policy.schema.json beside them: /etc/cisgate/policy.yaml gets
# a link to the installed schema, the copies under share/cisgate/policy/ a copy.
SBINDIR = $(PREFIX)/sbin
UNITDIR ?= $(PREFIX)/lib/systemd/system

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)/etc/cisgate $(DESTDIR)$(UNITDIR) \
	    $(DESTDIR)$(PREFIX)/share/cisgate/policy $(DESTDIR)$(PREFIX)/share/man/man8 \
	    $(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)/etc/logrotate.d \
	    $(DESTDIR)$(PREFIX)/share/doc/cisgate/examples
	install -d -m 0750 $(DESTDIR)/var/log/cisgate $(DESTDIR)/var/lib/cisgate
	install -m 0755 $(BUILD)/cisgate $(DESTDIR)$(SBINDIR)/cisgate
	install -m 0644 policy/default.yaml $(DESTDIR)/etc/cisgate/policy.yaml
	install -m 0644 policy/*.yaml policy/policy.schema.json policy/README.md \
	    $(DESTDIR)$(PREFIX)/share/cisgate/policy/
	install -m 0644 policy/policy.schema.json $(DESTDIR)$(PREFIX)/share/cisgate/
	install -d $(DESTDIR)$(PREFIX)/share/cisgate/policy/tests
	install -m 0644 policy/tests/*.yaml policy/tests/README.md $(DESTDIR)$(PREFIX)/share/cisgate/policy/tests/
	ln -sf $(PREFIX)/share/cisgate/policy.schema.json $(DESTDIR)/etc/cisgate/policy.schema.json
	install -m 0644 docs/cisgate.8 $(DESTDIR)$(PREFIX)/share/man/man8/
	install -m 0644 docs/cisgate-policy.5 $(DESTDIR)$(PREFIX)/share/man/man5/
	install -m 0644 packaging/logrotate/cisgate $(DESTDIR)/etc/logrotate.d/cisgate
	install -m 0644 packaging/systemd/cisgate.socket $(DESTDIR)$(UNITDIR)/
	sed 's#@SBINDIR@#$(SBINDIR)#' packaging/systemd/cisgate.service.in > $(DESTDIR)$(UNITDIR)/cisgate.service
	install -m 0644 packaging/daemon.json packaging/systemd/metrics-tcp.conf \
	    $(DESTDIR)$(PREFIX)/share/doc/cisgate/examples/

PKGS_DEB = debhelper dpkg-dev fakeroot build-essential

# A .deb built with Debian's own tools; the result lands in dist/.
deb: deps
	@tests/deps.sh $(PKGS_DEB)
	rm -rf build-deb && mkdir -p build-deb/cisgate dist
	@# A git checkout gives its tracked files; any other tree (a release tarball) is taken
	@# as it is, without build output.
	if git rev-parse --show-toplevel 2>/dev/null | grep -qxF "$(CURDIR)"; then \
	    git ls-files -z | tar --null -T - -cf -; \
	else \
	    tar --exclude=./build --exclude='./build-*' --exclude=./dist --exclude=./.git -cf - .; \
	fi | tar -C build-deb/cisgate -xf -
	@test -f build-deb/cisgate/Makefile -a -f build-deb/cisgate/plugin/main.c || \
	    { echo "make deb: the source tree was not copied"; exit 1; }
	cp -r packaging/debian build-deb/cisgate/debian
	cd build-deb/cisgate && dpkg-buildpackage -us -uc -b
	mv build-deb/*.deb dist/ && rm -rf build-deb
	@ls dist/*.deb

# A stand-in for dockerd's read-only API (proto tests, bench): tests/fake/fakedockerd.c.
# A slow disk for the audit suite (LD_PRELOAD): built plain, never sanitized.
$(BUILD)/slowsync.so: tests/proto/slowsync.c | $(BUILD)
	$(CC) -std=c11 -O2 -Wall -Wextra -Werror -shared -fPIC -o $@ $< -ldl

$(BUILD)/fakedockerd: tests/fake/fakedockerd.c | $(BUILD)
	$(CC) -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -o $@ $<

$(BUILD)/load: tests/bench/load.c | $(BUILD)
	$(CC) -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -pthread -o $@ $<

# Reload under load, kill -9 under socket activation, idle clients, a 1M-request soak.
test-reliability: $(BUILD)/cisgate $(BUILD)/load
	$(if $(findstring address,$(SANITIZER)),SOAK_RSS_CHECK=0) \
	    $(call sanrun,reliability) tests/reliability/run.sh $(BUILD)/cisgate $(BUILD)/load

test-pkg: deb plugin
	tests/pkg/run.sh
	tests/pkg/tarball.sh

# The upgrade under a booted systemd: Debian 12 debootstrapped once into build/systemd/
# (from apt's mirror, about a minute), booted with systemd-nspawn on a throw-away overlay;
# about 10 s a run after that.
test-systemd: deb
	@tests/deps.sh debootstrap systemd-container
	tests/pkg/systemd.sh

# --- performance ------------------------------------------------------------------------
$(BUILD)/floor: tests/bench/reference/floor.c | $(BUILD)
	$(CC) -O2 -o $@ $< -lmicrohttpd -ljansson -lcrypto

$(BUILD)/floor-durable: tests/bench/reference/floor-durable.c tests/bench/reference/floor.c | $(BUILD)
	$(CC) -O2 -pthread -o $@ $< -lmicrohttpd -ljansson -lcrypto

$(BUILD)/lightspeed: tests/bench/reference/lightspeed.c | $(BUILD)
	$(CC) -O2 -pthread -o $@ $<

$(BUILD)/recorder: tests/bench/recorder.c | $(BUILD)
	$(CC) -O2 -o $@ $< -lmicrohttpd

$(BUILD)/micro: tests/bench/micro.c $(BUILD)/libcisgate.a
	$(CC) $(ALLCFLAGS) -Wno-missing-prototypes -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc \
	    -o $@ $< $(BUILD)/libcisgate.a $(LIBS)

bench: deps deps-test
	$(MAKE) all $(BUILD)/load $(BUILD)/floor $(BUILD)/floor-durable $(BUILD)/lightspeed $(BUILD)/micro $(BUILD)/recorder \
	    $(BUILD)/fakedockerd
	tests/bench/run.sh $(BUILD)
