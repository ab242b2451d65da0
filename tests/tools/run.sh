#!/bin/bash
# The policy owners' tools offline, on inputs an e2e run produced (tests/fixtures/e2e/:
# tests/e2e/tools.sh KEEP-DIR wrote them) and on small hand-made ones for the edges:
# check's formats, order and exit codes, compose files, cisgate test, cisgate report.
set -u
BIN=$(readlink -f "${1:-build/cisgate}")
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
. "$ROOT/tests/proto/lib.sh"
F=$ROOT/tests/fixtures/e2e
T=$(mktemp -d /tmp/cgtools-offline.XXXXXX)
trap 'rm -rf "$T"' EXIT
P="--policy $F/policy.yaml --insecure-policy"

# --- check -------------------------------------------------------------------------
"$BIN" check $P "$F/inspect.json" > "$T/a.txt"; rc=$?
n=$(jq length "$F/inspect.json")
check "check on e2e docker inspect output ends with a summary of $n" grep -q "^checked $n: " "$T/a.txt"
"$BIN" check $P --format json "$F/inspect.json" > "$T/a.json"
check "check: exit 1 when something is denied, 0 when not" \
    test "$rc" = "$(jq 'if .summary.denied > 0 then 1 else 0 end' "$T/a.json")"
jq 'reverse' "$F/inspect.json" > "$T/rev.json"
"$BIN" check $P "$T/rev.json" > "$T/b.txt"
check "check: the same verdicts in the same order whatever the input order" cmp -s "$T/a.txt" "$T/b.txt"
check "check --format json: one item per container with name, image, decision, violations, waivers" \
    jq -e --argjson n "$n" '(.items | length) == $n and all(.items[]; has("name") and has("image") and has("decision") and has("violations") and has("waivers"))' "$T/a.json"
check "check --format json: items sorted by name" jq -e '[.items[].name] == ([.items[].name] | sort)' "$T/a.json"
"$BIN" check $P --format yaml "$F/inspect.json" >/dev/null 2>&1
check "check --format yaml: exit 2" test $? = 2

# Compose: the e2e run's `docker-compose config` output, in a directory named like its project.
mkdir -p "$T/proj"; cp "$F/compose-config.yml" "$T/proj/"
"$BIN" check $P --format json "$T/proj/compose-config.yml" > "$T/c.json"; rc=$?
check "check on a compose file: exit 1 (admin and tools are denied)" test $rc = 1
check "check on a compose file: the container names compose gives" \
    jq -e '[.items[].name] == ["proj_admin_1","proj_legacy_1","proj_tools_1","proj_web_1"]' "$T/c.json"
check "compose: the legacy service's writable root waived by its name's exemption" \
    jq -e '.items[1].waivers == [{"rule":"readonly-rootfs","exemption":"legacy-writable-root","message":.items[1].waivers[0].message}]' "$T/c.json"
check "compose: privileged, cap_add, pid and network_mode read" \
    jq -e '[.items[0].violations[].rule] | contains(["privileged","capabilities","host-pid","host-network"])' "$T/c.json"
check "compose: mem_limit, cpus, pids_limit, user, read_only, ulimits, security_opt, healthcheck read" \
    jq -e '.items[3].decision == "allow" and .items[3].violations == []' "$T/c.json"
check "compose: volumes and devices read" jq -e '[.items[2].violations[].rule] | contains(["sensitive-mounts","host-devices"])' "$T/c.json"
(cd "$T/proj" && "$BIN" check $P --format json - < compose-config.yml) > "$T/stdin.json"
check "compose from stdin: the project is the current directory's name" jq -e '.items[0].name == "proj_admin_1"' "$T/stdin.json"
COMPOSE_PROJECT_NAME=My.App "$BIN" check $P --format json "$T/proj/compose-config.yml" > "$T/env.json"
check "compose: COMPOSE_PROJECT_NAME names the project, normalised as docker-compose does" jq -e '.items[0].name == "myapp_admin_1"' "$T/env.json"
printf 'services:\n  x:\n    image: busybox\n    uts: host\n' > "$T/proj/unknown.yml"
"$BIN" check $P "$T/proj/unknown.yml" > "$T/u.out" 2>&1; rc=$?
check "compose: a key cisgate does not read is an error (exit 2), naming it" sh -c "test $rc = 2 && grep -q 'key uts is not read by cisgate' '$T/u.out'"
printf 'services:\n  x:\n    image: busybox\n    mem_limit: lots\n' > "$T/proj/bad.yml"
"$BIN" check $P "$T/proj/bad.yml" > "$T/u.out" 2>&1
check "compose: a value it cannot read is an error with line:col" sh -c "test $? = 2 && grep -q 'bad.yml:4:16' '$T/u.out'"
"$BIN" check $P "$F/inspect.json" "$T/proj/compose-config.yml" > "$T/two.txt"
check "check: several inputs, one summary" grep -q "^checked $((n + 4)): " "$T/two.txt"
"$BIN" check $P "$F/inspect.json" /nonexistent > "$T/none.out" 2>/dev/null
check "check: an input that cannot be read: exit 2 and no partial verdict" sh -c "test $? = 2 && ! test -s '$T/none.out'"

# --- cisgate test ------------------------------------------------------------------
"$BIN" test "$ROOT"/policy/tests/*.yaml > "$T/s.out"; rc=$?
check "the shipped policies' suites pass" sh -c "test $rc = 0 && grep -q ' passed, 0 failed$' '$T/s.out'"
cat > "$T/wrong.yaml" <<EOS
policy: $ROOT/policy/default.yaml
cases:
  - name: a privileged container is (wrongly) expected to be allowed
    body: {Image: busybox, HostConfig: {Privileged: true}}
    expect: allow
  - name: exec as root is denied for exec-root-user alone
    endpoint: exec_create
    body: {User: root}
    expect: deny
    rules: [exec-root-user]
EOS
"$BIN" test "$T/wrong.yaml" > "$T/w.out"; rc=$?
check "test: a wrong expectation fails the suite (exit 1)" test $rc = 1
check "test: a FAIL line saying what was expected and what came" grep -q '^FAIL a privileged container is (wrongly) expected to be allowed: expected allow, got deny \[' "$T/w.out"
check "test: the closing line counts both" grep -qx '1 passed, 1 failed' "$T/w.out"
printf 'policy: %s\ncases:\n  - name: x\n    body: {}\n    expect: deny\n    rulez: [privileged]\n' "$ROOT/policy/default.yaml" > "$T/typo.yaml"
"$BIN" test "$T/typo.yaml" > "$T/t.out"
check "test: an unknown key in a case is an error (exit 2) with line:col" sh -c "test $? = 2 && grep -q 'typo.yaml:6:5: unknown case key' '$T/t.out'"
printf 'policy: %s\ncases:\n  - name: x\n    body: {}\n    expect: deny\n    rules: [privilegd]\n' "$ROOT/policy/default.yaml" > "$T/rule.yaml"
"$BIN" test "$T/rule.yaml" > "$T/t.out"
check "test: an unknown rule name is an error (exit 2)" sh -c "test $? = 2 && grep -q 'unknown rule \"privilegd\"' '$T/t.out'"

# --- report ------------------------------------------------------------------------
L=$F/audit.log
"$BIN" report --format json "$L" > "$T/r.json"
check "report on the e2e log: denied = jq's count" test "$(jq .denied "$T/r.json")" = "$(jq -c 'select(.decision == "deny")' "$L" | wc -l)"
check "report: would_deny = jq's count" test "$(jq .would_deny "$T/r.json")" = "$(jq -c 'select(.would_deny == true)' "$L" | wc -l)"
check "report: records = lines" test "$(jq .records "$T/r.json")" = "$(wc -l < "$L")"
check "report: per day adds up to the denials" jq -e '([.per_day[] | .deny] | add) == .denied' "$T/r.json"
head -n 10 "$L" | gzip > "$T/part.1.gz"; tail -n +11 "$L" > "$T/part"
"$BIN" report --format json "$T/part.1.gz" "$T/part" > "$T/r2.json"
check "report: a rotated .gz and the live file read as one log" cmp -s "$T/r.json" <(sed "s#$T/part#$L#" "$T/r2.json")
"$BIN" report --format json --since 2099-01-01 "$L" > "$T/r3.json"
check "report --since after the log: nothing counted" jq -e '.records == 0 and .denied == 0' "$T/r3.json"
{ cat "$L"; echo 'not json'; echo '{"seq":999,"prev":"x","time":"2026-11-26T00:00:00Z","phase":"request","decision":"deny","mode":"enforce","user":"<b>eve</b>","image":"<script>alert(1)</script>","container":"x\"y","violations":[{"rule":"privileged","action":"deny"}]}'; } > "$T/hostile.log"
"$BIN" report "$T/hostile.log" > "$T/h.html"; rc=$?
check "report: a line that is no record is counted, not fatal" sh -c "test $rc = 0 && grep -q 'not an audit record' '$T/h.html'"
check "report: a gap in the sequence is an audit problem" grep -q 'sequence jumps' "$T/h.html"
check "report: strings from the log are escaped" sh -c "grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' '$T/h.html' && ! grep -q '<script' '$T/h.html' && ! grep -q '<b>eve' '$T/h.html'"
"$BIN" report /nonexistent > /dev/null 2>&1
check "report: a log that cannot be opened: exit 2" test $? = 2
summary
