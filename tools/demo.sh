#!/bin/bash
# make demo: cisgate in front of a private dockerd, without touching the host's Docker.
# Everything lives in a temporary directory (dockerd's data and exec roots, its API socket,
# the policy, the audit log); only the plugin socket must be in /run/docker/plugins, where
# dockerd looks for it. Ctrl-C stops dockerd and cisgate by their PIDs, unmounts what
# dockerd mounted there and removes it all.
# Usage: tools/demo.sh CISGATE [POLICY]
set -u
BIN=$(readlink -f "${1:-build/cisgate}")
ROOT=$(cd "$(dirname "$0")/.." && pwd)
POLICY=${2:-$ROOT/policy/default.yaml}
if [ "$(id -u)" != 0 ]; then echo "make demo needs root (it starts a dockerd)" >&2; exit 1; fi
for c in dockerd docker; do
	command -v $c >/dev/null || { echo "make demo needs $c (make deps-e2e installs it)" >&2; exit 1; }
done
D=$(mktemp -d /tmp/cisgate-demo.XXXXXX)
NAME=cgdemo$$
SOCK=/run/docker/plugins/$NAME.sock
export DOCKER_HOST=unix://$D/docker.sock
CG_PID= DK_PID=

gone() { i=0; while kill -0 "$1" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	! kill -0 "$1" 2>/dev/null; }
cleanup() {
	trap '' INT TERM
	echo "cisgate demo: stopping dockerd and cisgate, removing $D"
	if [ -n "$DK_PID" ] && kill -0 "$DK_PID" 2>/dev/null; then
		docker rm -f $(docker ps -aq 2>/dev/null) >/dev/null 2>&1
		kill "$DK_PID" 2>/dev/null; gone "$DK_PID" || { kill -9 "$DK_PID"; gone "$DK_PID"; }
	fi
	# containerd-shims outlive a SIGKILLed dockerd: theirs are found by our directory.
	if [ -n "$CG_PID" ]; then kill "$CG_PID" 2>/dev/null; gone "$CG_PID"; fi
	grep -o " $D[^ ]*" /proc/mounts | sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
	rm -rf "$D"
	rm -f "$SOCK"
	exit 0
}
trap cleanup INT TERM EXIT

mkdir -p /run/docker/plugins "$D/log"
# The private dockerd is the one cisgate asks what a request leaves unsaid (an image's USER).
sed -e "s#/var/log/cisgate/audit.log#$D/log/audit.log#" \
    -e "s#^  socket: /run/docker.sock#  socket: $D/docker.sock#" "$POLICY" > "$D/policy.yaml"
chmod 644 "$D/policy.yaml"
"$BIN" serve --socket "$SOCK" --policy "$D/policy.yaml" --audit-file "$D/log/audit.log" \
	2>>"$D/cisgate.log" &
CG_PID=$!
i=0; while [ ! -S "$SOCK" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -S "$SOCK" ] || { echo "cisgate did not start:"; cat "$D/cisgate.log"; exit 1; }
printf '{"authorization-plugins": ["%s"]}\n' "$NAME" > "$D/daemon.json"
dockerd --config-file "$D/daemon.json" --data-root "$D/root" --exec-root "$D/exec" \
	-H "$DOCKER_HOST" --pidfile "$D/docker.pid" --storage-driver vfs --iptables=false \
	--ip6tables=false --bridge=none >>"$D/dockerd.log" 2>&1 &
DK_PID=$!
i=0; while [ $i -lt 300 ]; do docker version >/dev/null 2>&1 && break; sleep 0.1; i=$((i + 1)); done
docker version >/dev/null 2>&1 || { echo "dockerd did not start:"; tail -20 "$D/dockerd.log"; exit 1; }

# An image made offline from the host's busybox: the demo needs no registry.
mkdir -p "$D/img/bin" "$D/img/etc"
cp "$(command -v busybox)" "$D/img/bin/"
for c in sh true id sleep cat echo ls date; do ln -sf busybox "$D/img/bin/$c"; done
echo 'root:x:0:0:root:/:/bin/sh' > "$D/img/etc/passwd"
tar -C "$D/img" -cf "$D/img.tar" . && docker import "$D/img.tar" demo:busybox >/dev/null

OK="docker run --rm --memory 64m --cpus 1 --pids-limit 64 -u 1000 demo:busybox id -u"
NO="docker run --rm --privileged --net host demo:busybox true"
cat <<T

cisgate demo: a private dockerd in $D,
every request judged by cisgate ($(basename "$POLICY")), the host's Docker untouched.

Paste this in another shell:

export DOCKER_HOST=$DOCKER_HOST

Then try:
  $OK    # allowed
  $NO    # denied
  docker run --rm -v /usr/share/zoneinfo:/usr/share/zoneinfo:ro --memory 64m --cpus 1 \\
      --pids-limit 64 -u 1000 demo:busybox ls /usr/share/zoneinfo    # a read-only mount allowed
  jq -c '[.decision, .image, [.violations[].rule]]' $D/log/audit.log

For instance (run here just now):
T
echo "\$ $OK"; $OK 2>&1 | sed 's/^/  /'
echo "$ $NO"; $NO 2>&1 | sed "s/^/  /"
echo
echo "Ctrl-C stops it all and removes $D."
while kill -0 "$DK_PID" 2>/dev/null && kill -0 "$CG_PID" 2>/dev/null; do
	sleep 1 &
	wait $!
done
echo "cisgate demo: dockerd or cisgate stopped"
