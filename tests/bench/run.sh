#!/bin/bash
# make bench: cisgate against the transport ceiling and our stack's floor, in one run, on
# this machine. Prints requests/s and latency (median of BENCH_REPS runs of BENCH_SECONDS
# each), peak RSS, the ratios to the targets, the decode+evaluate micro-benchmark, and
# (when dockerd is available) docker create through cisgate vs no plugin.
set -u
B=$(readlink -f "${1:-build}")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/proto/lib.sh"
SECS=${BENCH_SECONDS:-3}
REPS=${BENCH_REPS:-3}
T=$(mktemp -d /tmp/cisgate-bench.XXXXXX)
SRV=
cleanup() { [ -n "$SRV" ] && kill "$SRV" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT

CREATE="$ROOT/tests/fixtures/req-nonpriv.json"
MIX=("$ROOT"/tests/bench/mix/*.json)
PING=$(grep -l '"RequestUri":"/_ping"' "$ROOT"/tests/bench/mix/*AuthZReq.json | head -1)
sed "s#/var/log/cisgate/audit.log#$T/audit.log#; s#fsync: always#fsync: interval#" \
	"$ROOT/policy/default.yaml" > "$T/policy.yaml"

start() { # start NAME
	case $1 in
	ceiling) "$B/lightspeed" "$T/s.sock" 2 & ;;
	floor) "$B/floor" "$T/s.sock" & ;;
	cisgate) "$B/cisgate" serve --socket "$T/s.sock" --policy "$T/policy.yaml" --insecure-policy 2>/dev/null & ;;
	esac
	SRV=$!
	sleep 0.3
	i=0; while [ ! -S "$T/s.sock" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
}
stop() { kill "$SRV" 2>/dev/null; wait "$SRV" 2>/dev/null; SRV=; rm -f "$T/s.sock"; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# measure SERVER WORKLOAD CONNS FILES... -> "rps p50 p99 p999 max" medians, into $T/r.SERVER.WORKLOAD.CONNS
measure() {
	s=$1; w=$2; c=$3; shift 3
	for r in $(seq "$REPS"); do "$B/load" "$T/s.sock" "$c" "$SECS" "$@"; done > "$T/raw"
	rps=$(awk '{print $1}' "$T/raw" | median)
	p50=$(sed 's/.*p50 \([0-9]*\).*/\1/' "$T/raw" | median)
	p99=$(sed 's/.*p99 \([0-9]*\) us  p99.9.*/\1/' "$T/raw" | median)
	p999=$(sed 's/.*p99.9 \([0-9]*\).*/\1/' "$T/raw" | median)
	mx=$(sed 's/.*max \([0-9]*\).*/\1/' "$T/raw" | median)
	echo "$rps $p50 $p99 $p999 $mx" > "$T/r.$s.$w.$c"
	printf '  %-8s %-9s %d conn%s  %7s req/s  p50 %5s us  p99 %5s us  p99.9 %5s us  max %6s us\n' \
		"$s" "$w" "$c" "$([ "$c" = 1 ] && echo ' ' || echo s)" "$rps" "$p50" "$p99" "$p999" "$mx"
}

echo "== cisgate bench on $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $REPS x ${SECS}s per figure, medians"
for s in ceiling floor cisgate; do
	start "$s"
	for c in 1 8; do
		measure "$s" creates "$c" "$CREATE"
		measure "$s" bodyless "$c" "$PING"
		[ "$s" = cisgate ] && measure "$s" mix "$c" "${MIX[@]}"
	done
	hwm=$(awk '/VmHWM/ {print $2}' "/proc/$SRV/status")
	echo "$hwm" > "$T/rss.$s"
	printf '  %-8s peak RSS %s KiB\n' "$s" "$hwm"
	stop
done

r() { cut -d' ' -f"$2" "$T/r.$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
echo "== ratios (targets in brackets)"
c1=$(ratio "$(r cisgate.creates.1 1)" "$(r floor.creates.1 1)")
c8=$(ratio "$(r cisgate.creates.8 1)" "$(r floor.creates.8 1)")
b8=$(ratio "$(r cisgate.bodyless.8 1)" "$(r ceiling.bodyless.8 1)")
echo "  creates, 1 conn:  cisgate/floor = $c1   [>= 0.85]"
echo "  creates, 8 conns: cisgate/floor = $c8   [>= 0.85]; cisgate p99 = $(r cisgate.creates.8 3) us [<= 1000]"
echo "  bodyless, 8 conns: cisgate/ceiling = $b8   [>= 0.50]"
echo "  cisgate peak RSS under load: $(cat "$T/rss.cisgate") KiB   [<= 8192]"
echo "== decode + evaluate, one create envelope"
"$B/micro" "$CREATE" "$T/policy.yaml" 20000 | sed 's/^/  /'
# Instructions are counted, not timed: the same figure on a busy or an idle machine.
ir() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$B/micro" "$CREATE" "$T/policy.yaml" "$1" "$2" 2>&1 |
	sed -n 's/.*Collected : \([0-9]*\).*/\1/p'; }
i0=$(ir 1 none); ib=$(ir 2001 bare); id=$(ir 2001 decide)
awk -v z="$i0" -v b="$ib" -v d="$id" 'BEGIN {
	printf "  instructions (callgrind): jansson bare %d/request, cisgate %d/request, ratio %.3f [<= 1.15]\n",
	    (b - z) / 2000, (d - z) / 2000, (d - z) / (b - z) }'

if [ "${BENCH_DOCKER:-1}" = 1 ] && command -v dockerd >/dev/null && [ "$(id -u)" = 0 ]; then
	echo "== docker create: through cisgate vs no plugin (two dockerds, interleaved)"
	"$ROOT/tests/bench/docker_create.sh" "$B/cisgate" "${BENCH_CREATES:-30}" | sed 's/^/  /'
fi
