#!/bin/bash
# End-to-end: a private dockerd with --authorization-plugin pointing at cisgate, the real
# docker CLI, one line per scenario. Everything started here is stopped by its PID and
# every directory removed, also when a scenario fails.
set -u
BIN=$(readlink -f "${1:-build/cisgate}")
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
. "$ROOT/tests/proto/lib.sh"

if [ "$(id -u)" != 0 ]; then echo "e2e needs root (dockerd)"; exit 1; fi
D=$(mktemp -d /tmp/cge2e.XXXXXX)
NAME=cge2e$$
SOCK=/run/docker/plugins/$NAME.sock
export DOCKER_HOST=unix://$D/docker.sock
CG_PID=
DK_PID=
mkdir -p /run/docker/plugins "$D/log"

start_cisgate() {
	"$BIN" serve --socket "$SOCK" --policy "$D/policy.yaml" 2>>"$D/cisgate.err" &
	CG_PID=$!
	wait_up "$SOCK"
}
stop_cisgate() { [ -n "$CG_PID" ] && kill "$CG_PID" 2>/dev/null && wait_gone "$CG_PID"; CG_PID=; }
start_dockerd() { # start_dockerd [PLUGIN-NAME]: turned on the way operators do, in daemon.json
	if [ -n "${1:-}" ]; then
		sed "s/\"cisgate\"/\"$1\"/" "$ROOT/packaging/daemon.json" > "$D/daemon.json"
	else
		echo '{}' > "$D/daemon.json"
	fi
	dockerd --config-file "$D/daemon.json" --data-root "$D/root" --exec-root "$D/exec" -H "$DOCKER_HOST" \
		--pidfile "$D/docker.pid" --storage-driver vfs --iptables=false --ip6tables=false --bridge=none \
		>>"$D/dockerd.log" 2>&1 &
	i=0; while [ $i -lt 300 ]; do docker version >/dev/null 2>&1 && break; sleep 0.1; i=$((i + 1)); done
	DK_PID=$(cat "$D/docker.pid" 2>/dev/null)
	[ -n "$DK_PID" ] && docker version >/dev/null 2>&1
}
stop_dockerd() {
	[ -n "$DK_PID" ] || return 0
	kill "$DK_PID" 2>/dev/null; wait_gone "$DK_PID" || { kill -9 "$DK_PID"; wait_gone "$DK_PID"; }
	DK_PID=
}
cleanup() {
	if [ -n "$DK_PID" ]; then
		docker rm -f $(docker ps -aq) >/dev/null 2>&1
		docker plugin disable -f "$NAME-managed" >/dev/null 2>&1
		docker plugin rm -f "$NAME-managed" >/dev/null 2>&1
	fi
	stop_dockerd
	stop_cisgate
	# Anything dockerd left mounted under our directory (netns, shm).
	grep -o " $D[^ ]*" /proc/mounts | sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
	rm -rf "$D"
	rm -f "$SOCK"
}
trap cleanup EXIT

# The shipped default policy, with the audit log in our directory.
# The managed plugin this suite creates is listed, as a team lists the plugins it reviewed.
sed -e "s#/var/log/cisgate/audit.log#$D/log/audit.log#" \
    -e "s#^  socket: /run/docker.sock#  socket: $D/docker.sock#" \
    -e "s#^  allowed: \[\]\$#  allowed: [{name: $NAME-managed}]#" "$ROOT/policy/default.yaml" > "$D/policy.yaml"
chmod 644 "$D/policy.yaml"

start_cisgate || { echo "FAIL cisgate did not start"; cat "$D/cisgate.err"; exit 1; }
start_dockerd "$NAME" || { echo "FAIL dockerd did not start"; tail -20 "$D/dockerd.log"; exit 1; }
ok "dockerd $(docker version -f '{{.Server.Version}}') runs with \"authorization-plugins\": [\"$NAME\"] in daemon.json"

# An image made offline from Debian's busybox-static.
mkdir -p "$D/img/bin" "$D/img/etc"
cp /bin/busybox "$D/img/bin/"
for c in sh true id sleep cat echo ls; do ln -sf busybox "$D/img/bin/$c"; done
echo 'root:x:0:0:root:/:/bin/sh' > "$D/img/etc/passwd"
tar -C "$D/img" -cf "$D/img.tar" .
check "image imported offline" docker import "$D/img.tar" cge2e:busybox

LIM="--memory 64m --cpus 1 --pids-limit 64"
# denied NAME EXPECTED-TEXT docker-args...: the CLI fails and prints the rule's message.
denied() {
	n=$1; want=$2; shift 2
	out=$(timeout 60 "$@" 2>&1); rc=$?
	if [ $rc -ne 0 ] && has "$out" "authorization denied by plugin $NAME" && has "$out" "$want"; then
		ok "$n"
	else
		bad "$n" "rc=$rc: $out"
	fi
}

before=$(docker ps -aq | wc -l)
out=$(timeout -k 5 60 docker run --rm $LIM -u 1000 cge2e:busybox id -u 2>&1)
check "compliant docker run runs the container" test "$out" = 1000
denied "--privileged is denied" "[CIS 5.4] privileged" docker run --rm $LIM --privileged cge2e:busybox true
denied "--pid host is denied" "[CIS 5.15] host-pid" docker run --rm $LIM --pid host cge2e:busybox true
denied "--net host is denied" "[CIS 5.9] host-network" docker run --rm $LIM --net host cge2e:busybox true
denied "--ipc host is denied" "[CIS 5.16] host-ipc" docker run --rm $LIM --ipc host cge2e:busybox true
denied "--uts host is denied" "[CIS 5.20] host-uts" docker run --rm $LIM --uts host cge2e:busybox true
denied "--userns host is denied" "[CIS 5.30] host-userns" docker run --rm $LIM --userns host cge2e:busybox true
denied "-v /etc:/x is denied" "[CIS 5.5] sensitive-mounts: host path /etc" docker run --rm $LIM -v /etc:/x cge2e:busybox true
denied "--mount bind of /usr is denied" "[CIS 5.5] sensitive-mounts: host path /usr" docker run --rm $LIM --mount type=bind,src=/usr,dst=/x cge2e:busybox true
denied "-v /var/run/docker.sock is denied" "[CIS 5.31] docker-socket" docker run --rm $LIM -v /var/run/docker.sock:/s cge2e:busybox true
denied "--cap-add ALL is denied" "[CIS 5.3] capabilities: capability not allowed: ALL" docker run --rm $LIM --cap-add ALL cge2e:busybox true
denied "--cap-add sys_admin is denied" "CAP_SYS_ADMIN" docker run --rm $LIM --cap-add sys_admin cge2e:busybox true
denied "seccomp=unconfined is denied" "[CIS 5.21] seccomp" docker run --rm $LIM --security-opt seccomp=unconfined cge2e:busybox true
denied "apparmor=unconfined is denied" "[CIS 5.1] apparmor" docker run --rm $LIM --security-opt apparmor=unconfined cge2e:busybox true
denied "systempaths=unconfined is denied" "[CIS 5.4] privileged: the kernel's masked" docker run --rm $LIM --security-opt systempaths=unconfined cge2e:busybox true
denied "label=disable is denied" "[CIS 5.2] selinux" docker run --rm $LIM --security-opt label=disable cge2e:busybox true
denied "--device is denied" "[CIS 5.17] host-devices" docker run --rm $LIM --device /dev/null:/dev/n cge2e:busybox true
denied "shared propagation is denied" "[CIS 5.19] mount-propagation" docker run --rm $LIM -v /srv:/srv:rshared cge2e:busybox true
denied "missing --memory is denied" "[CIS 5.10] memory-limit: no memory limit; add --memory" docker run --rm --cpus 1 --pids-limit 64 cge2e:busybox true
denied "missing --pids-limit is denied" "[CIS 5.28] pids-limit" docker run --rm --memory 64m --cpus 1 cge2e:busybox true
denied "missing CPU limit is denied" "[CIS 5.11] cpu-shares" docker run --rm --memory 64m --pids-limit 64 cge2e:busybox true
denied "every violation in one message" "[CIS 5.4] privileged" docker run --rm --privileged --net host cge2e:busybox true
out=$(docker run --rm --privileged --net host cge2e:busybox true 2>&1)
# (has, not sh -c: a message may hold a quote, such as root-user's "image's".)
all4() { has "$out" 'CIS 5.9' && has "$out" 'CIS 5.10' && has "$out" 'CIS 5.28'; }
check "the message lists all four denials" all4
denied "bind-in-disguise volume is denied" "[CIS 5.5] sensitive-mounts: host path /etc is mounted (via volume options)" docker volume create -d local -o type=none -o o=bind -o device=/etc evil
denied "bind-in-disguise --mount is denied" "via Mounts volume options" docker run --rm $LIM --mount type=volume,dst=/x,volume-opt=type=none,volume-opt=o=bind,volume-opt=device=/etc cge2e:busybox true
mkdir -p "$D/ctx"; printf 'FROM cge2e:busybox\nRUN true\n' > "$D/ctx/Dockerfile"
denied "docker build --network host is denied" "[CIS 5.9] host-network: build steps" env DOCKER_BUILDKIT=0 docker build -q --network host "$D/ctx"
check "a build on the default network is allowed" env DOCKER_BUILDKIT=0 docker build -q -t cge2e:built "$D/ctx"
check "a plain volume is allowed" docker volume create cge2e-data
check "denied creates leave no container behind" test "$(docker ps -aq | wc -l)" = "$before"

# exec
check "a long-running compliant container starts" docker run -d --name cge2e-c $LIM -u 1000 cge2e:busybox sleep 300
denied "exec --privileged is denied" "[CIS 5.22] exec-privileged" docker exec --privileged -u 1000 cge2e-c true
denied "exec -u root is denied" "[CIS 5.23] exec-root-user: user \"root\" is root" docker exec -u root cge2e-c id
denied "exec -u 0 is denied" "[CIS 5.23] exec-root-user" docker exec -u 0 cge2e-c id
denied "exec -u 0:0 is denied" "[CIS 5.23] exec-root-user" docker exec -u 0:0 cge2e-c id
# The image's /etc/passwd has no uid 1000: runc gives it gid 0 (issue 14).
denied "exec without -u is denied (uid 1000 without a passwd entry runs with gid 0)" "runs with group 0 (root)" docker exec cge2e-c id
denied "exec -u 1000 is denied for the same reason" "no entry in its /etc/passwd, so runc gives it gid 0" docker exec -u 1000 cge2e-c id
out=$(timeout -k 5 60 docker exec -u 1000:1000 cge2e-c id 2>&1)
check "exec -u 1000:1000 is allowed" has "$out" "uid=1000 gid=1000"
denied "update removing the PIDs limit is denied" "[CIS 5.28] pids-limit: update removes the PIDs limit" docker update --pids-limit -1 cge2e-c
check "update keeping limits is allowed" docker update --memory 128m --memory-swap 256m cge2e-c
check "docker ps works" docker ps

# Raw API spellings the CLI never uses, sent to dockerd's socket with curl.
API() { curl -s --max-time 60 --unix-socket "$D/docker.sock" "$@"; }
mk() { printf '{"Image":"cge2e:busybox","Cmd":["true"],%s}' "$1"; }
rawdeny() { # rawdeny NAME EXPECTED curl-args...
	n=$1; want=$2; shift 2
	out=$(API "$@"); if has "$out" "authorization denied by plugin $NAME" && has "$out" "$want"; then ok "$n"; else bad "$n" "$out"; fi
}
PRIVHC='"HostConfig":{"Memory":67108864,"NanoCpus":1000000000,"PidsLimit":64,"Privileged":true}'
rawdeny "raw: lower-case keys are denied" "privileged" -X POST -H 'Content-Type: application/json' \
	-d '{"image":"cge2e:busybox","cmd":["true"],"hostconfig":{"memory":67108864,"nanocpus":1000000000,"pidslimit":64,"privileged":true}}' http://d/v1.41/containers/create
rawdeny "raw: no version prefix is denied" "privileged" -X POST -H 'Content-Type: application/json' -d "$(mk "$PRIVHC")" http://d/containers/create
rawdeny "raw: old API version is denied" "privileged" -X POST -H 'Content-Type: application/json' -d "$(mk "$PRIVHC")" http://d/v1.24/containers/create
rawdeny "raw: percent-encoded path is denied" "privileged" -X POST -H 'Content-Type: application/json' -d "$(mk "$PRIVHC")" 'http://d/v1.41/%63ontainers/create'
rawdeny "raw: two spellings of a field are denied" "ambiguous" -X POST -H 'Content-Type: application/json' \
	-d "$(mk '"HostConfig":{"Memory":67108864,"NanoCpus":1000000000,"PidsLimit":64,"Privileged":false,"PRIVILEGED":true}')" http://d/v1.41/containers/create
head -c 1100000 /dev/zero | tr '\0' ' ' > "$D/pad"
{ printf '{"Image":"cge2e:busybox","Cmd":["true"],%s,"Labels":{"pad":"' "$PRIVHC"; cat "$D/pad"; printf '"}}'; } > "$D/big.json"
rawdeny "raw: oversized body (not forwarded) is denied" "did not reach the authorization plugin" -X POST -H 'Content-Type: application/json' --data-binary "@$D/big.json" http://d/v1.41/containers/create
out=$(API -X POST -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' --data-binary "$(mk "$PRIVHC")" http://d/v1.41/containers/create)
check "raw: chunked privileged body is denied" has "$out" "authorization denied by plugin $NAME"
cid=$(docker create $LIM -u 1000 cge2e:busybox sleep 1)
rawdeny "raw: old-API start with a privileged HostConfig is denied" "[CIS 5.4] privileged" -X POST -H 'Content-Type: application/json' -d '{"Privileged":true}' "http://d/v1.23/containers/$cid/start"
docker rm -f "$cid" >/dev/null 2>&1
check "raw attempts left no container behind" test "$(docker ps -aq | wc -l)" = "$((before + 1))"

# The audit log: every denial above is there, and the chain verifies.
check "audit log verifies" "$BIN" audit verify "$D/log/audit.log"
nd=$(grep -c '"decision":"deny"' "$D/log/audit.log")
check "audit log holds the denials ($nd)" test "$nd" -ge 35
check "audit log names the container image" grep -q '"image":"cge2e:busybox"' "$D/log/audit.log"

# Plugin down: dockerd fails closed; after a restart of cisgate it works again.
stop_cisgate
t0=$(date +%s)
out=$(timeout 90 docker ps 2>&1); rc=$?
check "with cisgate down dockerd refuses requests (fail closed)" test $rc -ne 0
echo "     (dockerd gave up after $(( $(date +%s) - t0 ))s: $(printf '%s' "$out" | head -c 160))"
start_cisgate
check "after cisgate restarts, requests work without restarting dockerd" timeout -k 5 60 docker ps
denied "and denials work again" "[CIS 5.4] privileged" docker run --rm $LIM --privileged cge2e:busybox true
docker rm -f cge2e-c >/dev/null 2>&1

# Managed plugin: the same binary as a `docker plugin`, with the policy mounted from the host.
if [ "${E2E_MANAGED:-1}" = 1 ]; then
	PD=$D/plugin
	"$ROOT/packaging/plugin/build.sh" "$BIN" "$PD" >/dev/null 2>&1
	mkdir -p "$D/etc-cisgate"
	# The managed plugin's own policy knows its name, so it refuses to be disabled.
	# Inside the plugin dockerd's socket is at /run/docker.sock (the "docker" mount).
	sed -e "s#^  file: .*#  file: \"\"\n  stdout: true#" -e "s#^  socket: $D/docker.sock#  socket: /run/docker.sock#" \
	    "$D/policy.yaml" > "$D/etc-cisgate/policy.yaml"
	printf 'plugin_names: [cisgate, %s-managed]\n' "$NAME" >> "$D/etc-cisgate/policy.yaml"
	chmod 644 "$D/etc-cisgate/policy.yaml"
	if docker plugin create "$NAME-managed" "$PD" >/dev/null 2>"$D/pc.err" &&
	   docker plugin set "$NAME-managed" policy.source="$D/etc-cisgate" log.source="$D/log" docker.source="$D/docker.sock" >/dev/null 2>>"$D/pc.err" &&
	   docker plugin enable "$NAME-managed" >/dev/null 2>>"$D/pc.err"; then
		ok "managed plugin created and enabled"
		stop_dockerd
		stop_cisgate
		if start_dockerd "$NAME-managed:latest"; then
			ok "dockerd restarted with the managed plugin $NAME-managed:latest"
			NAME="$NAME-managed:latest"
			out=$(timeout -k 5 60 docker run --rm $LIM -u 1000 cge2e:busybox id -u 2>&1)
			check "managed: compliant run runs" test "$out" = 1000
			denied "managed: --privileged is denied" "[CIS 5.4] privileged" docker run --rm $LIM --privileged cge2e:busybox true
			denied "managed: a docker.sock mount is denied" "[CIS 5.31]" docker run --rm $LIM -v /run/docker.sock:/s cge2e:busybox true
			denied "managed: the plugin cannot be disabled through the API" "cisgate protects itself" docker plugin disable -f "${NAME%:latest}"
			denied "managed: the plugin cannot be removed through the API" "cisgate protects itself" docker plugin rm -f "${NAME%:latest}"
			check "managed: audit records reach dockerd's log via stdout" grep -qF 'decision\":\"deny' "$D/dockerd.log"
			# Lookups through the plugin's "docker" mount: an exec (the container's user)
			# and a start by name (what the container holds) are decided on dockerd's answers.
			timeout -k 5 60 docker run -d --name cge2e-m $LIM -u 1000:1000 cge2e:busybox sleep 300 >/dev/null 2>&1
			check "managed: exec into a compliant container is allowed (looked up through the mounted socket)" \
				timeout -k 5 60 docker exec -u 1000:1000 cge2e-m true
			docker stop -t 1 cge2e-m >/dev/null 2>&1
			check "managed: a start by name is looked up and allowed" timeout -k 5 60 docker start cge2e-m
			docker rm -f cge2e-m >/dev/null 2>&1
			stop_dockerd
			NAME=${NAME%-managed:latest}
			# Leave the plugin removable: start without the authz flag for cleanup.
			start_dockerd || true
		else
			bad "dockerd restarted with the managed plugin" "$(tail -5 "$D/dockerd.log")"
		fi
	else
		bad "managed plugin created and enabled" "$(cat "$D/pc.err")"
	fi
fi
# Leave nothing behind: every process we started is gone, nothing stays mounted.
cleanup
no_procs() { ! pgrep -f "$D/" >/dev/null; }
no_mounts() { ! grep -q "$D" /proc/mounts; }
check "no dockerd, containerd, shim or cisgate of this run is left" no_procs
check "nothing of this run is left mounted" no_mounts
{ pgrep -af "$D/"; grep "$D" /proc/mounts; } | sed 's/^/     left: /'
check "its directory is removed" test ! -e "$D"
summary
