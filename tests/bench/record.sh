#!/bin/bash
# Records the AuthZ calls a real dockerd makes for a typical docker CLI session into
# tests/bench/mix/ (run once by a developer; the files are committed).
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${1:-$ROOT/tests/bench/mix}
D=$(mktemp -d /tmp/cgrec.XXXXXX)
cc -O2 -o "$D/recorder" "$ROOT/tests/bench/recorder.c" -lmicrohttpd
rm -rf "$OUT"; mkdir -p "$OUT" /run/docker/plugins
"$D/recorder" /run/docker/plugins/cgrec.sock "$OUT" & RP=$!
export DOCKER_HOST=unix://$D/docker.sock
dockerd --data-root "$D/root" --exec-root "$D/exec" -H "$DOCKER_HOST" --pidfile "$D/pid" \
	--storage-driver vfs --iptables=false --bridge=none --authorization-plugin=cgrec >"$D/log" 2>&1 &
for i in $(seq 100); do docker version >/dev/null 2>&1 && break; sleep 0.1; done
mkdir -p "$D/img/bin"; cp /bin/busybox "$D/img/bin/"; ln -s busybox "$D/img/bin/sleep"; ln -s busybox "$D/img/bin/id"
tar -C "$D/img" -cf "$D/img.tar" .; docker import "$D/img.tar" busybox >/dev/null
rm -f "$OUT"/*
# A typical session: look around, run a service, inspect it, exec into it, clean up.
docker version >/dev/null; docker ps >/dev/null; docker images >/dev/null
docker run -d --name web --memory 256m busybox sleep 30 >/dev/null
docker ps >/dev/null; docker inspect web >/dev/null
docker exec -u 1000 web id >/dev/null
docker run -d --memory 256m --cpus 1 --pids-limit 100 busybox sleep 30 >/dev/null
docker ps -a >/dev/null; docker logs web >/dev/null
docker rm -f $(docker ps -aq) >/dev/null
kill "$(cat "$D/pid")"; while kill -0 "$(cat "$D/pid")" 2>/dev/null; do sleep 0.1; done
kill "$RP"; wait "$RP" || true
grep -o '/[a-z_]*[a-z]' "$OUT"/*.json >/dev/null || true
rm -rf "$D"
ls "$OUT" | wc -l
