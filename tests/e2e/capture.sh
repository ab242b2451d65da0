#!/bin/bash
# Captures the request bodies the docker CLI really sends on issue 13's side doors, for unit
# and case tests: a private dockerd whose AuthZ plugin is recorder.pl (allows everything,
# saves every AuthZReq envelope), and, for plugin install/upgrade (which need a registry), the
# CLI pointed at recorder.pl's fake dockerd. For each request: OUT/NAME.json is the body as
# sent, OUT/NAME.req.json the AuthZReq envelope as dockerd sent it (api-*: the CLI's request
# as the fake daemon got it), and a line in OUT/INDEX: name, method, URI, command.
# Usage: capture.sh [CISGATE-BINARY] [OUT]   (root; the binary only runs inside plugins)
set -u
BIN=$(readlink -f "${1:-build/cisgate}")
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=$(readlink -f "${2:-$ROOT/tests/fixtures/sidedoors}")
. "$ROOT/tests/proto/lib.sh"

if [ "$(id -u)" != 0 ]; then echo "capture needs root (dockerd)"; exit 1; fi
D=$(mktemp -d /tmp/cgcap.XXXXXX)
NAME=cgcap$$
SOCK=/run/docker/plugins/$NAME.sock
export DOCKER_HOST=unix://$D/docker.sock
CG_PID=
DK_PID=
DK_AUTHZ=
W=$(mktemp -d /tmp/cgcap-w.XXXXXX)
chmod 1777 "$W"
DATA=$D/data
SWPORT=$((20000 + $$ % 20000))
GWBRIDGE_BEFORE=$(ip link show docker_gwbridge >/dev/null 2>&1 && echo yes)
IMG=cge2e:busybox
REC=$D/rec
mkdir -p /run/docker/plugins "$REC" "$OUT"
. "$HERE/sidedoors_lib.sh"
# The recorders stand where cisgate would: stop_cisgate stops them by PID.
start_recorder() {
	perl "$HERE/recorder.pl" "$1" "$2" "$REC" 2>>"$D/recorder.err" &
	CG_PID=$!
	wait_sock "$2"
}
trap cleanup EXIT
: > "$OUT/INDEX"

# grab NAME URI-PATTERN COMMAND...: runs COMMAND, keeps the first request whose URI matches.
grab() {
	local n=$1 pat=$2 f uri; shift 2
	rm -f "$REC"/*
	timeout 60 "$@" >/dev/null 2>&1
	for f in "$REC"/*; do
		[ -f "$f" ] || continue
		uri=$(jq -r .RequestUri "$f")
		printf '%s' "$uri" | grep -qE -- "$pat" || continue
		jq -r '.RequestBody // empty' "$f" | base64 -d > "$OUT/$n.json"
		case $f in *.req.json) cp "$f" "$OUT/$n.req.json" ;; *) cp "$f" "$OUT/$n.api.json" ;; esac
		printf '%s | %s %s | %s\n' "$n" "$(jq -r .RequestMethod "$f")" "$uri" "$*" >> "$OUT/INDEX"
		ok "captured $n"
		return 0
	done
	bad "captured $n" "no request matching $pat"
}

start_recorder authz "$SOCK" || { echo "FAIL recorder did not start"; cat "$D/recorder.err"; exit 1; }
start_dockerd "$NAME" || { echo "FAIL dockerd did not start"; tail -20 "$D/dockerd.log"; exit 1; }
make_image
LIM="--memory 64m --cpus 1 --pids-limit 64"

grab swarm-init '/swarm/init$' docker swarm init --advertise-addr 127.0.0.1 --listen-addr 127.0.0.1:$SWPORT
grab swarm-join '/swarm/join$' docker swarm join --token \
	SWMTKN-1-3pu6hszjas19xyp7ghgosyx9k8atbfcr8p2is99znpy26u2lkl-1awxwuwd3z9j1z3puu7rcgdbx 127.0.0.2:2377
grab service-create-root-hostnet '/services/create$' docker service create -d --no-resolve-image \
	--name cgcap-evil --restart-condition none --mount type=bind,src=/,dst=/host \
	--mount type=bind,src=/var/run/docker.sock,dst=/var/run/docker.sock --cap-add SYS_ADMIN \
	--network host $IMG sleep 300
grab service-create-compliant '/services/create$' docker service create -d --no-resolve-image \
	--name cgcap-good --restart-condition none --limit-memory 64m --limit-cpu 1 --limit-pids 64 \
	-u 1000 $IMG sleep 300
grab service-update-cap-add '/services/[^/]+/update' docker service update -d --no-resolve-image \
	--cap-add SYS_ADMIN cgcap-good
grab service-update-mount-add '/services/[^/]+/update' docker service update -d --no-resolve-image \
	--mount-add type=bind,src=/,dst=/host cgcap-good
docker service rm cgcap-evil cgcap-good >/dev/null 2>&1
wait_no_tasks
docker swarm leave --force >/dev/null 2>&1
remove_gwbridge

grab volume-create-bind-relative '/volumes/create$' docker volume create -o type=none -o o=bind -o device=etc cgcap-etc
grab volume-create-proc '/volumes/create$' docker volume create -o type=proc -o device=proc cgcap-proc
grab volume-create-sysfs '/volumes/create$' docker volume create -o type=sysfs -o device=sysfs cgcap-sys
grab volume-create-overlay '/volumes/create$' docker volume create -o type=overlay -o device=overlay \
	-o o=lowerdir=/etc,upperdir=/tmp/up,workdir=/tmp/work cgcap-ovl
grab volume-create-tmpfs '/volumes/create$' docker volume create -o type=tmpfs -o device=tmpfs -o o=size=10m cgcap-tmp

ln -s /etc "$W/link"
grab create-bind-symlink '/containers/create' docker create $LIM -u 1000 -v "$W/link:/m" $IMG true
grab create-bind-var '/containers/create' docker create $LIM -u 1000 -v /var:/v $IMG true
grab create-unlimited '/containers/create' docker create --memory 8t --memory-swap -1 --pids-limit 4194304 \
	--cpus 1 -u 1000 $IMG true
docker run -d --name cgcap-upd --memory 64m --pids-limit 64 --cpu-quota 50000 -u 1000 $IMG sleep 300 >/dev/null 2>&1
grab update-cpu-quota-unlimited '/containers/[^/]+/update' docker update --cpu-quota -1 cgcap-upd
grab update-memory '/containers/[^/]+/update' docker update --memory 128m --memory-swap 256m cgcap-upd
cid=$(docker create $LIM -u 1000 $IMG true)
grab start-old-api-nested-hostconfig '/v1.23/containers/[^/]+/start' curl -s --unix-socket "$D/docker.sock" -X POST -H 'Content-Type: application/json' \
	-d '{"HostConfig":{"Privileged":true,"PidMode":"host","Binds":["/etc:/host-etc"]}}' "http://d/v1.23/containers/$cid/start"
grab start-old-api-cli '/v1.23/containers/[^/]+/start' env DOCKER_API_VERSION=1.23 docker start "$cid"

"$HERE/mkplugin.sh" "$BIN" "$D/pl-harmless" harmless
docker plugin create cgcap-harmless "$D/pl-harmless" >/dev/null 2>&1
grab plugin-set '/plugins/[^/]+/set$' docker plugin set cgcap-harmless DEBUG=1
grab plugin-enable '/plugins/[^/]+/enable' docker plugin enable cgcap-harmless
grab plugin-disable '/plugins/[^/]+/disable' docker plugin disable cgcap-harmless

# Plugin install and upgrade ask a registry first: the CLI talks to a fake daemon instead.
stop_dockerd
stop_cisgate
start_recorder api "$D/api.sock" || { bad "fake dockerd started" "$(cat "$D/recorder.err")"; exit 1; }
grab api-plugin-pull '/plugins/pull\?' env DOCKER_HOST="unix://$D/api.sock" docker plugin install \
	--grant-all-permissions --alias cgsd-plugin 127.0.0.1:5000/cgsd/plugin:1.0
grab api-plugin-upgrade '/plugins/[^/]+/upgrade\?' env DOCKER_HOST="unix://$D/api.sock" docker plugin upgrade \
	--grant-all-permissions --skip-remote-check cgsd-plugin 127.0.0.1:5000/cgsd/plugin:2.0
stop_cisgate
cleanup
summary
