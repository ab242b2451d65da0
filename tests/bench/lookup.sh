#!/bin/bash
# Creates that need a lookup in dockerd (no -u: the user comes from the image) beside
# creates that do not (-u 1000), through cisgate at 1 and 8 connections, and the latency a
# lookup adds. dockerd's answers come from tests/fake/fakedockerd (GET /images/busybox/json
# from a file, on a unix socket): what is measured is cisgate's suspend, lookup thread,
# HTTP round trip and second decision, not dockerd's own image store.
# Usage: lookup.sh BUILD-DIR   (BENCH_SECONDS, BENCH_REPS as run.sh)
set -u
B=$(readlink -f "${1:-build}")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SECS=${BENCH_SECONDS:-3}
REPS=${BENCH_REPS:-5}
T=$(mktemp -d /tmp/cisgate-lkbench.XXXXXX)
SRV=
FD=
cleanup() { [ -n "$SRV" ] && kill "$SRV" 2>/dev/null; [ -n "$FD" ] && kill "$FD" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT

# The fixture create (docker run -d --memory 256m busybox) with --cpus 1 --pids-limit 100,
# allowed by default.yaml, with and without a user.
envelope() { # envelope USER OUT
	body=$(jq -r .RequestBody "$ROOT/tests/fixtures/req-nonpriv.json" | base64 -d | jq -c --arg u "$1" '.User = $u | .HostConfig.NanoCpus = 1000000000 | .HostConfig.PidsLimit = 100')
	jq -c --arg b "$(printf '%s' "$body" | base64 -w0)" --arg l "$(printf '%s' "$body" | wc -c)" \
		'.RequestBody = $b | .RequestHeaders["Content-Length"] = $l' "$ROOT/tests/fixtures/req-nonpriv.json" > "$2"
}
envelope 1000 "$T/named.json"
envelope "" "$T/image.json"
mkdir "$T/fd"
printf '%s' '{"Id":"sha256:aa","RepoTags":["busybox:latest"],"RepoDigests":[],"Config":{"User":"1000"}}' > "$T/fd/image-busybox.json"
"$B/fakedockerd" "$T/fd.sock" "$T/fd" > /dev/null &
FD=$!
sed -e "s#/var/log/cisgate/audit.log#$T/audit.log#; s#fsync: always#fsync: interval#" \
    -e "s#^  socket: /run/docker.sock#  socket: $T/fd.sock#" "$ROOT/policy/default.yaml" > "$T/policy.yaml"
"$B/cisgate" serve --socket "$T/s.sock" --policy "$T/policy.yaml" --insecure-policy 2>/dev/null &
SRV=$!
i=0; while [ ! -S "$T/s.sock" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
# Both must be allowed, or the figures would compare a deny with an allow.
for w in named image; do
	r=$(curl -s --unix-socket "$T/s.sock" -X POST --data-binary "@$T/$w.json" http://p/AuthZPlugin.AuthZReq)
	case $r in *'"Allow":true'*) ;; *) echo "lookup bench: the $w create is not allowed: $r"; exit 1 ;; esac
done
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for rep in $(seq "$REPS"); do
	for c in 1 8; do
		for w in named image; do
			"$B/load" "$T/s.sock" "$c" "$SECS" "$T/$w.json" |
				sed 's/^\([0-9]*\) req\/s  p50 \([0-9]*\) us  p99 \([0-9]*\) us.*/\1 \2 \3/' >> "$T/raw.$w.$c"
		done
	done
done
for c in 1 8; do
	for w in named image; do
		f=$T/raw.$w.$c
		printf '  %-38s %d conn%s  %7s req/s  p50 %5s us  p99 %5s us\n' \
			"$([ $w = named ] && echo 'create -u 1000 (no lookup)' || echo 'create, user from the image (lookup)')" \
			"$c" "$([ "$c" = 1 ] && echo ' ' || echo s)" "$(cut -d' ' -f1 "$f" | median)" \
			"$(cut -d' ' -f2 "$f" | median)" "$(cut -d' ' -f3 "$f" | median)"
	done
	echo "  added latency of a lookup at $c conn: p50 +$(( $(cut -d' ' -f2 "$T/raw.image.$c" | median) - $(cut -d' ' -f2 "$T/raw.named.$c" | median) )) us"
done
