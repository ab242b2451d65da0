#!/bin/bash
# Median `docker create` time against a dockerd with cisgate and the same kind of dockerd
# with no plugin, interleaved in one run so both see the same machine.
# Usage: docker_create.sh CISGATE N
set -u
BIN=$(readlink -f "$1")
N=${2:-30}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/proto/lib.sh"
D=$(mktemp -d /tmp/cgbd.XXXXXX)
NAME=cgbench$$
CG=; P1=; P2=
cleanup() {
	for p in "$P1" "$P2"; do [ -n "$p" ] && kill "$p" 2>/dev/null && wait_gone "$p"; done
	[ -n "$CG" ] && kill "$CG" 2>/dev/null
	grep -o " $D[^ ]*" /proc/mounts | sort -r | while read -r m; do umount -l "$m"; done
	rm -rf "$D" "/run/docker/plugins/$NAME.sock"
}
trap cleanup EXIT
mkdir -p /run/docker/plugins "$D/img/bin"
sed "s#/var/log/cisgate/audit.log#$D/audit.log#" "$ROOT/policy/default.yaml" > "$D/policy.yaml"
"$BIN" serve --socket "/run/docker/plugins/$NAME.sock" --policy "$D/policy.yaml" --insecure-policy 2>/dev/null &
CG=$!
wait_up "/run/docker/plugins/$NAME.sock"
dk() { # dk N [plugin]
	dockerd --data-root "$D/r$1" --exec-root "$D/e$1" -H "unix://$D/d$1.sock" --pidfile "$D/p$1" \
		--storage-driver vfs --iptables=false --ip6tables=false --bridge=none ${2:+--authorization-plugin=$2} >"$D/log$1" 2>&1 &
}
dk 1; dk 2 "$NAME"
for i in $(seq 200); do
	DOCKER_HOST=unix://$D/d1.sock docker version >/dev/null 2>&1 && DOCKER_HOST=unix://$D/d2.sock docker version >/dev/null 2>&1 && break
	sleep 0.1
done
P1=$(cat "$D/p1"); P2=$(cat "$D/p2")
cp /bin/busybox "$D/img/bin/"; tar -C "$D/img" -cf "$D/img.tar" .
for n in 1 2; do DOCKER_HOST=unix://$D/d$n.sock docker import "$D/img.tar" bench:img >/dev/null; done
ARGS="--memory 64m --cpus 1 --pids-limit 64 -u 1000 bench:img /bin/busybox true"
for n in 1 2; do DOCKER_HOST=unix://$D/d$n.sock docker create $ARGS >/dev/null; done # warm
for i in $(seq "$N"); do
	for n in 1 2; do
		t0=$(date +%s%N)
		DOCKER_HOST=unix://$D/d$n.sock docker create $ARGS >/dev/null
		echo $(( ($(date +%s%N) - t0) / 1000 )) >> "$D/t$n"
	done
done
m1=$(sort -n "$D/t1" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
m2=$(sort -n "$D/t2" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
echo "docker create, median of $N: no plugin $((m1 / 1000)).$(( (m1 % 1000) / 100 )) ms, through cisgate $((m2 / 1000)).$(( (m2 % 1000) / 100 )) ms"
awk -v a="$m2" -v b="$m1" 'BEGIN {printf "ratio: %.3f [<= 1.02]\n", a / b}'
