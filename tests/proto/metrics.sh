#!/bin/bash
# Metrics (issue 17): the exposition passes `promtool check metrics`, a real prometheus
# (started here on loopback with a temporary config and data directory, stopped by its PID)
# scrapes cisgate and its query API returns cisgate_decisions_total with the counts this
# test produced; the unix-socket listener; reloads, the policy's signer, open connections;
# a listen address off loopback is refused.
set -u
BIN=$(readlink -f "${1:-build/cisgate}")
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
T=$(mktemp -d /tmp/cisgate-metrics.XXXXXX)
SOCK=$T/cg.sock
PID=
PROM=
cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null && wait_gone "$PID"
	[ -n "$PROM" ] && kill "$PROM" 2>/dev/null && wait_gone "$PROM"
	rm -rf "$T"
}
trap cleanup EXIT
[ -n "${KEEP:-}" ] && trap - EXIT
for tool in promtool prometheus; do
	command -v $tool >/dev/null || { echo "FAIL $tool is missing (apt-get install prometheus)"; exit 1; }
done

post() { curl -s --max-time 20 --unix-socket "$SOCK" -X POST --data-binary "@$2" "http://plugin/$1"; }
envelope() {
	printf '{"User":"","RequestMethod":"POST","RequestUri":"/v1.41/containers/create","RequestBody":"%s"}' \
		"$(printf '%s' "$1" | base64 -w0)"
}
envelope '{"Image":"busybox","HostConfig":{"Privileged":true}}' > "$T/priv.json"
envelope '{"Image":"busybox","User":"1000","HostConfig":{"Memory":1048576}}' > "$T/allow.json"
# A free loopback port: bind 0 and read what the kernel gave.
port() { perl -MIO::Socket::INET -e 'print IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1:0")->sockport'; }
MPORT=$(port)
policy() { # policy LISTEN
	cat > "$T/p.yaml" <<P
apiVersion: cisgate/v1
default_action: off
metrics: {listen: "$1"}
audit: {file: $T/audit.log, fsync: always}
rules:
  privileged: deny
  readonly-rootfs: warn
P
}
start() {
	"$BIN" serve --socket "$SOCK" --policy "$T/p.yaml" --insecure-policy "$@" 2>>"$T/serve.err" &
	PID=$!
	wait_up "$SOCK"
}
stop() { kill -TERM "$PID"; wait "$PID"; PID=; }

# --- off loopback is refused, by lint and serve alike ---------------------------------------
policy "0.0.0.0:$MPORT"
out=$("$BIN" lint --insecure-policy "$T/p.yaml")
check "lint: metrics.listen off loopback is refused" has "$out" "not a loopback address"
policy "unix:relative.sock"
check "lint: a relative unix socket is refused" has "$("$BIN" lint --insecure-policy "$T/p.yaml")" "absolute path"

# --- the exposition, over TCP ------------------------------------------------------------------
policy "127.0.0.1:$MPORT"
start
for i in 1 2 3; do post AuthZPlugin.AuthZReq "$T/priv.json" >/dev/null; done
for i in 1 2 3 4 5; do post AuthZPlugin.AuthZReq "$T/allow.json" >/dev/null; done
curl -s "http://127.0.0.1:$MPORT/metrics" > "$T/m.txt"
check "promtool check metrics passes" promtool check metrics < "$T/m.txt"
if ! promtool check metrics < "$T/m.txt" >/dev/null 2>&1; then promtool check metrics < "$T/m.txt"; fi
check "3 denied creates" grep -qx 'cisgate_decisions_total{endpoint="container_create",outcome="deny",phase="request"} 3' "$T/m.txt"
check "5 creates warned (readonly-rootfs: warn)" grep -qx 'cisgate_decisions_total{endpoint="container_create",outcome="warn",phase="request"} 5' "$T/m.txt"
check "violations by rule and action" grep -qx 'cisgate_violations_total{rule="privileged",action="deny"} 3' "$T/m.txt"
check "the latency histogram counts every decision" grep -qx 'cisgate_decision_duration_seconds_count 8' "$T/m.txt"
check "its +Inf bucket too" grep -qx 'cisgate_decision_duration_seconds_bucket{le="+Inf"} 8' "$T/m.txt"
check "audit writes" grep -qx 'cisgate_audit_writes_total 8' "$T/m.txt"
check "audit flushes (fsync: always)" grep -q '^cisgate_audit_flushes_total [1-9]' "$T/m.txt"
check "policy info names the sha256" grep -q "^cisgate_policy_info{sha256=\"$(sha256sum "$T/p.yaml" | cut -c1-64)\",mode=\"enforce\",signed_by=\"\"} 1" "$T/m.txt"
check "build info" grep -q '^cisgate_build_info{version="' "$T/m.txt"
check "another path is 404" test "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$MPORT/")" = 404
check "POST is refused" test "$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$MPORT/metrics")" = 405
# An open connection from "dockerd" shows in the gauge.
perl -MIO::Socket::UNIX -e '$s = IO::Socket::UNIX->new(Peer => $ARGV[0]) or die; sleep 3' "$SOCK" &
HOLD=$!; sleep 0.5
check "open connections gauge" grep -q '^cisgate_open_connections [1-9]' <(curl -s "http://127.0.0.1:$MPORT/metrics")
kill $HOLD 2>/dev/null; wait $HOLD 2>/dev/null
# Reloads by result.
kill -HUP "$PID"; sleep 0.4
echo "rules: {" >> "$T/p.yaml"; kill -HUP "$PID"; sleep 0.4
curl -s "http://127.0.0.1:$MPORT/metrics" > "$T/m2.txt"
check "a reload that applied" grep -qx 'cisgate_reloads_total{result="ok"} 1' "$T/m2.txt"
check "a reload that failed" grep -qx 'cisgate_reloads_total{result="failed"} 1' "$T/m2.txt"
policy "127.0.0.1:$MPORT"

# --- a real prometheus scrapes it --------------------------------------------------------------
PPORT=$(port)
mkdir "$T/prom"
cat > "$T/prom.yml" <<P
global: {scrape_interval: 1s, evaluation_interval: 1s}
scrape_configs:
  - job_name: cisgate
    static_configs: [{targets: ["127.0.0.1:$MPORT"]}]
P
prometheus --config.file="$T/prom.yml" --storage.tsdb.path="$T/prom" \
	--web.listen-address="127.0.0.1:$PPORT" > "$T/prom.log" 2>&1 &
PROM=$!
q='cisgate_decisions_total{endpoint="container_create",outcome="deny",phase="request"}'
got=
for i in $(seq 1 120); do
	got=$(curl -s --max-time 2 "http://127.0.0.1:$PPORT/api/v1/query" --data-urlencode "query=$q" |
		jq -r '.data.result[0].value[1] // empty' 2>/dev/null)
	[ -n "$got" ] && break
	sleep 0.25
done
check "prometheus's query API returns cisgate_decisions_total (deny) = 3" test "$got" = 3
got=$(curl -s "http://127.0.0.1:$PPORT/api/v1/query" --data-urlencode 'query=sum(cisgate_decisions_total)' |
	jq -r '.data.result[0].value[1] // empty')
check "and the sum over every series = 8" test "$got" = 8
up=$(curl -s "http://127.0.0.1:$PPORT/api/v1/query" --data-urlencode 'query=up{job="cisgate"}' |
	jq -r '.data.result[0].value[1] // empty')
check "prometheus sees the target up" test "$up" = 1
kill "$PROM"; wait "$PROM" 2>/dev/null; PROM=
stop

# --- the unix-socket listener, and a signed policy's signer ------------------------------------
policy "unix:$T/metrics.sock"
"$BIN" audit keygen "$T/k" >/dev/null
"$BIN" policy sign --key "$T/k.key" "$T/p.yaml" >/dev/null
start --policy-key "$T/k.pub"
post AuthZPlugin.AuthZReq "$T/priv.json" >/dev/null
m=$(curl -s --unix-socket "$T/metrics.sock" http://metrics/metrics)
check "unix socket: served" has "$m" 'cisgate_decisions_total{endpoint="container_create",outcome="deny",phase="request"} 1'
check "unix socket: mode 0660" test "$(stat -c %a "$T/metrics.sock")" = 660
id=$("$BIN" policy verify --key "$T/k.pub" "$T/p.yaml" | sed 's/.*key \([0-9a-f]*\).*/\1/')
check "policy info names the signing key" has "$m" "signed_by=\"$id\""
stop
check "unix socket: removed at stop" test ! -e "$T/metrics.sock"
summary
