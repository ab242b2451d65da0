#!/bin/bash
# make demo as a new user runs it: in the background, its DOCKER_HOST line pasted into
# another shell, one allowed and one denied run, then Ctrl-C (SIGINT to its process group,
# as the terminal sends it). Afterwards nothing may be left: no dockerd or cisgate of the
# demo, no mount and no directory under its temporary directory, no plugin socket.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/proto/lib.sh"
if [ "$(id -u)" != 0 ]; then echo "the demo test needs root (dockerd)"; exit 1; fi
OUT=$(mktemp /tmp/cisgate-demo-test.XXXXXX)
set -m # the demo gets its own process group, and SIGINT is not ignored in it
(cd "$ROOT" && exec make -s demo) >"$OUT" 2>&1 &
PG=$!
set +m
stop_demo() { kill -INT -- -"$PG" 2>/dev/null; }
trap 'stop_demo; rm -f "$OUT"' EXIT
i=0; while ! grep -q '^Ctrl-C stops it all' "$OUT" && kill -0 "$PG" 2>/dev/null && [ $i -lt 1200 ]; do
	sleep 0.1; i=$((i + 1)); done
line=$(grep -m1 '^export DOCKER_HOST=unix://' "$OUT")
check "make demo prints the DOCKER_HOST line to paste" test -n "$line"
D=$(printf '%s' "$line" | sed 's#^export DOCKER_HOST=unix://##; s#/docker.sock$##')
check "its directory is a fresh temporary one" sh -c "case '$D' in /tmp/cisgate-demo.*) test -d '$D';; *) false;; esac"
check "it shows an allowed run" grep -q '^  1000$' "$OUT"
check "and a denied one, with its message" grep -q 'authorization denied by plugin cgdemo[0-9]*: cisgate denied this request: \[CIS 5.4\] privileged' "$OUT"
eval "$line"
out=$(timeout -k 5 60 docker run --rm --memory 64m --cpus 1 --pids-limit 64 -u 1000 \
	-v /usr/share/zoneinfo:/usr/share/zoneinfo:ro demo:busybox ls /usr/share/zoneinfo 2>&1)
check "the pasted DOCKER_HOST works: a read-only zoneinfo mount is allowed" has "$out" "UTC"
out=$(timeout -k 5 60 docker run --rm --memory 64m --cpus 1 --pids-limit 64 -u 1000 \
	-v /usr/share/zoneinfo:/z demo:busybox true 2>&1)
check "a read-write one is denied, saying :ro would do" has "$out" "mount it read-only (:ro)"
timeout -k 5 60 docker run -d --memory 64m --cpus 1 --pids-limit 64 -u 1000 demo:busybox sleep 300 >/dev/null 2>&1
DKP=$(cat "$D/docker.pid" 2>/dev/null)
CGP=$(pgrep -f "serve --socket /run/docker/plugins/cgdemo[0-9]*.sock --policy $D/" | head -1)
check "dockerd and cisgate of the demo run" sh -c "test -n '$DKP' && kill -0 '$DKP' && test -n '$CGP'"
SOCK=$(ls /run/docker/plugins/cgdemo*.sock 2>/dev/null | head -1)
stop_demo
i=0; while kill -0 "$PG" 2>/dev/null && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
check "Ctrl-C ends make demo" sh -c "! kill -0 $PG 2>/dev/null"
check "dockerd is gone" sh -c "! kill -0 '$DKP' 2>/dev/null"
check "cisgate is gone" sh -c "! kill -0 '$CGP' 2>/dev/null"
no_proc() { ! pgrep -f "$1" >/dev/null; } # pgrep never matches itself
check "no process refers to the demo's directory (shims included)" no_proc "$D"
check "nothing mounted under it" sh -c "! grep -q ' $D' /proc/mounts"
check "the directory is removed" test ! -e "$D"
check "the plugin socket is removed" test -n "$SOCK" -a ! -e "$SOCK"
grep -q 'removing' "$OUT" || cat "$OUT"
summary
