#!/bin/bash
# Median `docker create` time against three dockerds in one interleaved run: no plugin,
# a no-op plugin (tests/bench/recorder.c allowing everything, recording nothing), and
# cisgate. The no-op plugin shows what dockerd's own AuthZ machinery costs with any plugin.
# Usage: docker_create.sh CISGATE N   (NOOP=path to the built recorder)
set -u
BIN=$(readlink -f "$1")
N=${2:-30}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/proto/lib.sh"
D=$(mktemp -d /tmp/cgbd.XXXXXX)
NAME=cgbench$$
CG=; LS=; P1=; P2=; P3=
NOOP=${NOOP:-$(dirname "$BIN")/recorder}
cleanup() {
	for p in "$P1" "$P2" "$P3"; do [ -n "$p" ] && kill "$p" 2>/dev/null && wait_gone "$p"; done
	[ -n "$CG" ] && kill "$CG" 2>/dev/null
	[ -n "$LS" ] && kill "$LS" 2>/dev/null
	grep -o " $D[^ ]*" /proc/mounts | sort -r | while read -r m; do umount -l "$m"; done
	rm -rf "$D" "/run/docker/plugins/$NAME.sock" "/run/docker/plugins/${NAME}ls.sock"
}
trap cleanup EXIT
mkdir -p /run/docker/plugins "$D/img/bin"
# cisgate's lookups go to the dockerd in front of it (d2).
sed "s#/var/log/cisgate/audit.log#$D/audit.log#; s#fsync: always#fsync: ${FSYNC:-always}#; s#^  socket: /run/docker.sock#  socket: $D/d2.sock#" \
	"$ROOT/policy/default.yaml" > "$D/policy.yaml"
"$BIN" serve --socket "/run/docker/plugins/$NAME.sock" --policy "$D/policy.yaml" --insecure-policy 2>/dev/null &
CG=$!
wait_up "/run/docker/plugins/$NAME.sock"
"$NOOP" "/run/docker/plugins/${NAME}ls.sock" /nonexistent &
LS=$!
wait_up "/run/docker/plugins/${NAME}ls.sock" || true
dk() { # dk N [plugin]
	dockerd --data-root "$D/r$1" --exec-root "$D/e$1" -H "unix://$D/d$1.sock" --pidfile "$D/p$1" \
		--storage-driver vfs --iptables=false --ip6tables=false --bridge=none ${2:+--authorization-plugin=$2} >"$D/log$1" 2>&1 &
}
dk 1; dk 2 "$NAME"; dk 3 "${NAME}ls"
for i in $(seq 300); do
	DOCKER_HOST=unix://$D/d1.sock docker version >/dev/null 2>&1 && DOCKER_HOST=unix://$D/d2.sock docker version >/dev/null 2>&1 &&
		DOCKER_HOST=unix://$D/d3.sock docker version >/dev/null 2>&1 && break
	sleep 0.1
done
P1=$(cat "$D/p1"); P2=$(cat "$D/p2"); P3=$(cat "$D/p3")
cp /bin/busybox "$D/img/bin/"; tar -C "$D/img" -cf "$D/img.tar" .
for n in 1 2 3; do DOCKER_HOST=unix://$D/d$n.sock docker import "$D/img.tar" bench:img >/dev/null; done
ARGS="--memory 64m --cpus 1 --pids-limit 64 -u 1000 bench:img /bin/busybox true"
for n in 1 2 3; do DOCKER_HOST=unix://$D/d$n.sock docker create $ARGS >/dev/null; done # warm
for i in $(seq "$N"); do
	for n in 1 2 3; do
		t0=$(date +%s%N)
		DOCKER_HOST=unix://$D/d$n.sock docker create $ARGS >/dev/null
		echo $(( ($(date +%s%N) - t0) / 1000 )) >> "$D/t$n"
	done
done
# The same create through the API alone (curl, no CLI start-up): what each plugin adds to
# dockerd's handling of one POST /containers/create, with less noise than the CLI.
BODY='{"Image":"bench:img","Cmd":["/bin/busybox","true"],"User":"1000","HostConfig":{"Memory":67108864,"NanoCpus":1000000000,"PidsLimit":64}}'
for i in $(seq "$N"); do
	for n in 1 2 3; do
		curl -s -o /dev/null -w '%{time_total}\n' --unix-socket "$D/d$n.sock" -X POST -H 'Content-Type: application/json' \
			--data-binary "$BODY" http://docker/v1.41/containers/create |
			awk '{printf "%d\n", $1 * 1000000}' >> "$D/a$n"
	done
done
med() { sort -n "$1" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# Paired: each round ran the three back to back, so a slow moment of this shared machine
# hits all three; the median of the per-round ratios is steadier than a ratio of medians.
pmed() { paste "$1" "$2" | awk '{printf "%.3f\n", $2 / $1}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
a1=$(med "$D/a1"); a2=$(med "$D/a2"); a3=$(med "$D/a3")
qc=$(pmed "$D/a1" "$D/a2"); qn=$(pmed "$D/a1" "$D/a3")
m1=$(med "$D/t1"); m2=$(med "$D/t2"); m3=$(med "$D/t3")
pc=$(pmed "$D/t1" "$D/t2"); pn=$(pmed "$D/t1" "$D/t3")
awk -v a="$m1" -v b="$m3" -v c="$m2" -v n="$N" 'BEGIN {
	printf "docker create, median of %d: no plugin %.1f ms, no-op plugin %.1f ms, cisgate %.1f ms\n", n, a / 1000, b / 1000, c / 1000
	printf "ratio cisgate/no plugin: %.3f [<= 1.02]; no-op plugin/no plugin: %.3f (dockerd'"'"'s AuthZ cost alone)\n", c / a, b / a
	printf "added per create: cisgate %+.2f ms, no-op plugin %+.2f ms\n", (c - a) / 1000, (b - a) / 1000 }'
echo "paired (median of per-round ratios): cisgate/no plugin $pc [<= 1.02], no-op plugin/no plugin $pn"
awk -v a="$a1" -v b="$a3" -v c="$a2" -v n="$N" 'BEGIN {
	printf "API create (curl), median of %d: no plugin %.2f ms, no-op plugin %.2f ms, cisgate %.2f ms (cisgate %+.2f ms, no-op %+.2f ms)\n",
	    n, a / 1000, b / 1000, c / 1000, (c - a) / 1000, (b - a) / 1000 }'
echo "API create, paired: cisgate/no plugin $qc, no-op plugin/no plugin $qn"
# What cisgate adds over the no-op plugin, round by round (both ran back to back in each
# round): the median of the differences, with the ranks that bound it at 95 % (order
# statistics: no assumption about the shape of dockerd's noise).
pdiff() { paste "$1" "$2" | awk '{print $2 - $1}' | sort -n | awk '{a[NR] = $1} END {
	n = NR; h = 0.98 * sqrt(n); lo = int(n / 2 - h); hi = int(n / 2 + 1 + h)
	if (lo < 1) lo = 1; if (hi > n) hi = n
	printf "%+.2f ms (95%% interval of the median %+.2f to %+.2f ms, %d rounds)", a[int((n + 1) / 2)] / 1000, a[lo] / 1000, a[hi] / 1000, n }'; }
echo "cisgate over the no-op plugin, paired: docker create $(pdiff "$D/t3" "$D/t2") [<= +0.3 ms with fsync always]"
echo "  API create $(pdiff "$D/a3" "$D/a2")"
# `docker start` of a container made just before, through each dockerd. By its ID, as
# `docker run` starts: cisgate saw that ID in the create's answer, so the start needs no
# lookup. By its name: cisgate looks the container up in dockerd (one GET, which dockerd
# sends back through cisgate as AuthZ requests) to judge what it runs. Fewer rounds: each
# start runs a container.
NS=${BENCH_STARTS:-60}
for i in $(seq "$NS"); do
	for n in 1 2 3; do
		cid=$(DOCKER_HOST=unix://$D/d$n.sock docker create $ARGS)
		t0=$(date +%s%N)
		DOCKER_HOST=unix://$D/d$n.sock docker start "$cid" >/dev/null
		echo $(( ($(date +%s%N) - t0) / 1000 )) >> "$D/s$n"
		DOCKER_HOST=unix://$D/d$n.sock docker create --name "bs$i" $ARGS >/dev/null
		t0=$(date +%s%N)
		DOCKER_HOST=unix://$D/d$n.sock docker start "bs$i" >/dev/null
		echo $(( ($(date +%s%N) - t0) / 1000 )) >> "$D/n$n"
	done
done
awk -v a="$(med "$D/s1")" -v b="$(med "$D/s3")" -v c="$(med "$D/s2")" -v d="$(med "$D/n2")" -v n="$NS" 'BEGIN {
	printf "docker start, median of %d: no plugin %.1f ms, no-op plugin %.1f ms, cisgate %.1f ms by ID (no lookup), %.1f ms by name (a lookup)\n", n, a / 1000, b / 1000, c / 1000, d / 1000 }'
echo "cisgate over the no-op plugin, paired: docker start by ID $(pdiff "$D/s3" "$D/s2")"
echo "  docker start by name (the container looked up) $(pdiff "$D/n3" "$D/n2")"
