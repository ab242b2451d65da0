#!/bin/bash
# The upgrade claim (README, Operations "Upgrade") under a real systemd: a Debian 12 tree
# booted with systemd-nspawn, the .deb built by `make deb` installed in it, clients sending
# requests in a loop while dpkg upgrades the package (tests/pkg/systemd-inside.sh runs the
# checks inside). The tree is debootstrapped once into build/systemd/ and booted with a
# tmpfs overlay (--volatile=overlay), so the cache stays pristine and a run leaves nothing
# (the container runs in a cgroup of the run's own, removed with it).
# Needs root, debootstrap, systemd-nspawn and nsenter; the first run needs Debian's mirror.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/proto/lib.sh"
CACHE=${SYSTEMD_CACHE:-$ROOT/build/systemd}
SUITE=bookworm
TREE=$CACHE/$SUITE
DEB=$(ls "$ROOT"/dist/cisgate_*_*.deb 2>/dev/null | head -1)
NS=""
INIT=""
WORK=""
CGDIRS=""

fatal() { echo "FAIL $1"; [ -n "${2:-}" ] && printf '     %s\n' "$2"; exit 1; }

# The container: asked to power off through nspawn (SIGTERM becomes SIGRTMIN+3 for its
# systemd), killed by its PIDs if it does not stop within 30 s.
cleanup() {
	if [ -n "$NS" ] && kill -0 "$NS" 2>/dev/null; then
		kill -TERM "$NS" 2>/dev/null
		if ! wait_gone "$NS"; then
			echo "the container did not power off in 30 s: killed"
			[ -n "$INIT" ] && kill -KILL "$INIT" 2>/dev/null
			kill -KILL "$NS" 2>/dev/null
		fi
		wait "$NS" 2>/dev/null
	fi
	[ -n "$WORK" ] && rm -rf "$WORK"
	for d in $CGDIRS; do
		[ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
	done
}

# nspawn --keep-unit puts itself and the container in "supervisor" and "payload" cgroups
# below the one it starts in: this run gets a cgroup of its own in each hierarchy systemd
# uses (cgroup v2, and v1's name=systemd on a hybrid host), so two runs never share them.
# Prints the directories made; where one cannot be made, nspawn starts where it is.
cg_dirs() {
	local v2 v1 d
	v2=$(sed -n 's/^0:://p' /proc/self/cgroup)
	v1=$(sed -n 's/^[0-9]*:name=systemd://p' /proc/self/cgroup)
	if [ "$(stat -fc %T /sys/fs/cgroup 2>/dev/null)" = cgroup2fs ]; then
		d=/sys/fs/cgroup${v2%/}/cisgate-test.$$
		mkdir "$d" 2>/dev/null && echo "$d"
	elif [ "$(stat -fc %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
		d=/sys/fs/cgroup/unified${v2%/}/cisgate-test.$$
		mkdir "$d" 2>/dev/null && echo "$d"
		d=/sys/fs/cgroup/systemd${v1%/}/cisgate-test.$$
		[ -n "$v1" ] && mkdir "$d" 2>/dev/null && echo "$d"
	fi
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || fatal "test-systemd runs as root (debootstrap, systemd-nspawn, nsenter)"
for t in debootstrap systemd-nspawn nsenter dpkg-deb; do
	command -v "$t" >/dev/null || fatal "$t is missing (apt-get install debootstrap systemd-container util-linux)"
done
[ -n "$DEB" ] || fatal "no dist/cisgate_*.deb: run make deb first"

# The tree holds what the package depends on (from its Depends, first of each
# alternative), so dpkg -i inside needs no network; it is rebuilt when that list changes.
deps=$(dpkg-deb -f "$DEB" Depends | tr ',' '\n' | sed 's/|.*//; s/(.*)//; s/:any//; s/[[:space:]]//g' |
	grep -v '^$' | sort -u | tr '\n' ',')
include="systemd,systemd-sysv,dbus,curl,${deps%,}"
if [ "$(cat "$TREE/.cisgate-include" 2>/dev/null)" != "$include" ]; then
	# The mirror apt uses on this machine (MIRROR= overrides).
	mirror=${MIRROR:-$(apt-get indextargets --format '$(REPO_URI)' "Codename: $SUITE" \
		'Component: main' 'Target-Of: deb' 2>/dev/null | head -1)}
	mirror=${mirror:-http://deb.debian.org/debian/}
	echo "debootstrap $SUITE from $mirror into $TREE (once; about a minute)"
	rm -rf "$TREE" "$TREE.new" && mkdir -p "$CACHE"
	debootstrap --variant=minbase --include="$include" "$SUITE" "$TREE.new" "$mirror" \
		> "$CACHE/debootstrap.log" 2>&1 ||
		fatal "debootstrap failed" "$(tail -5 "$CACHE/debootstrap.log")"
	echo "$include" > "$TREE.new/.cisgate-include"
	mv "$TREE.new" "$TREE"
fi
check "the cached $SUITE tree has systemd" test -x "$TREE/lib/systemd/systemd"

# The packages the test installs: the one built, and two upgrades of it (the same files
# under a higher version, as a new release would come).
WORK=$(mktemp -d /tmp/cisgate-systemd.XXXXXX)
ver=$(dpkg-deb -f "$DEB" Version)
cp "$DEB" "$WORK/cisgate_0.deb"
for n in 1 2; do
	rm -rf "$WORK/pkg"
	dpkg-deb -R "$DEB" "$WORK/pkg"
	sed -i "s/^Version: .*/Version: $ver+upgrade$n/" "$WORK/pkg/DEBIAN/control"
	dpkg-deb --root-owner-group -b "$WORK/pkg" "$WORK/cisgate_$n.deb" >/dev/null
done
rm -rf "$WORK/pkg"
check "two upgrade packages ($ver+upgrade1, +upgrade2)" \
	sh -c "dpkg-deb -f '$WORK/cisgate_2.deb' Version | grep -qx '$ver+upgrade2'"
cp "$ROOT/tests/pkg/systemd-inside.sh" "$ROOT/tests/proto/lib.sh" "$WORK/"
mkdir "$WORK/out"

# Private network (cisgate only needs unix sockets), not registered with a host systemd
# (there may be none: --register=no --keep-unit).
t0=$EPOCHREALTIME
CGDIRS=$(cg_dirs)
(
	for d in $CGDIRS; do echo "$BASHPID" > "$d/cgroup.procs"; done
	exec systemd-nspawn -q -D "$TREE" --volatile=overlay --boot --register=no --keep-unit \
		--private-network --console=pipe --bind-ro="$WORK:/cisgate-test" \
		--bind="$WORK/out:/cisgate-out"
) < /dev/null > "$WORK/nspawn.log" 2>&1 &
NS=$!
i=0
while [ -z "$INIT" ] && [ $i -lt 200 ] && kill -0 "$NS" 2>/dev/null; do
	sleep 0.05
	INIT=$(ps -o pid= --ppid "$NS" | head -1 | tr -d ' ')
	i=$((i + 1))
done
[ -n "$INIT" ] || fatal "systemd-nspawn did not start the container" "$(tail -5 "$WORK/nspawn.log")"
inside() {
	nsenter -t "$INIT" -m -u -i -n -p -- env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"
}
# Until its systemd answers (its private socket appears a moment after it starts), then
# until the boot is over: a test that starts earlier sees /tmp mounted over its files.
i=0
while [ $i -lt 600 ]; do
	state=$(timeout 60 nsenter -t "$INIT" -m -u -i -n -p -- /bin/systemctl is-system-running --wait 2>&1)
	case $state in starting | initializing | running | degraded | maintenance | stopping) break ;; esac
	sleep 0.1
	i=$((i + 1))
done
check "the container booted systemd as PID 1 ($state)" test "$state" = running
[ "$state" = running ] || inside systemctl --failed --no-pager
echo "     booted in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s"

# Bounded: a hung dpkg or client fails the run instead of hanging make test.
out=$(timeout 300 nsenter -t "$INIT" -m -u -i -n -p -- env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
	/bin/bash /cisgate-test/systemd-inside.sh 2>&1)
echo "$out"
PASS=$((PASS + $(printf '%s\n' "$out" | grep -c '^ok ')))
FAIL=$((FAIL + $(printf '%s\n' "$out" | grep -c '^FAIL ')))
rm -rf "$CACHE/last-run" && cp -r "$WORK/out" "$CACHE/last-run"
echo "     each phase's requests, socket states and journal: $CACHE/last-run/"
check "the checks inside the container ran" sh -c "printf '%s\n' \"\$1\" | grep -q '^inside: done'" _ "$out"
summary
