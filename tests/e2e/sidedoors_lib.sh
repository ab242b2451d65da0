# Helpers for sidedoors.sh (sourced after tests/proto/lib.sh, with D, NAME, SOCK, BIN, ROOT,
# W, DATA and GWBRIDGE_BEFORE set): the private dockerd and cisgate, started and stopped by
# their PIDs, the checks' vocabulary, and the cleanup that leaves nothing behind.

# e2e_begin PREFIX: what every suite starts from (as root): a private directory D, the
# plugin NAME and its socket SOCK, DOCKER_HOST on D's own dockerd, a scratch directory W.
e2e_begin() {
	if [ "$(id -u)" != 0 ]; then echo "e2e needs root (dockerd)"; exit 1; fi
	D=$(mktemp -d "/tmp/$1.XXXXXX")
	NAME=$1$$
	SOCK=/run/docker/plugins/$NAME.sock
	export DOCKER_HOST=unix://$D/docker.sock
	CG_PID=
	DK_PID=
	DK_AUTHZ=
	W=$(mktemp -d "/tmp/$1-w.XXXXXX")
	mkdir -p /run/docker/plugins "$D/log"
}

start_cisgate() {
	"$BIN" serve --socket "$SOCK" --policy "$D/policy.yaml" 2>>"$D/cisgate.err" &
	CG_PID=$!
	wait_up "$SOCK"
}
stop_cisgate() { [ -n "$CG_PID" ] && kill "$CG_PID" 2>/dev/null && wait_gone "$CG_PID"; CG_PID=; }

# start_dockerd [PLUGIN-NAME]: with the plugin in daemon.json, as operators do, or without any.
# Started from /, as systemd starts it: a relative volume device is resolved against its cwd.
start_dockerd() {
	DK_AUTHZ=${1:-}
	if [ -n "$DK_AUTHZ" ]; then
		sed "s/\"cisgate\"/\"$DK_AUTHZ\"/" "$ROOT/packaging/daemon.json" > "$D/daemon.json"
	else
		echo '{}' > "$D/daemon.json"
	fi
	(cd / && exec dockerd --config-file "$D/daemon.json" --data-root "$D/root" --exec-root "$D/exec" \
		-H "$DOCKER_HOST" ${DK_EXTRA:-} --pidfile "$D/docker.pid" --storage-driver vfs --iptables=false \
		--ip6tables=false --bridge=none >>"$D/dockerd.log" 2>&1) &
	DK_PID=$!
	i=0; while [ $i -lt 300 ]; do docker version >/dev/null 2>&1 && break; sleep 0.1; i=$((i + 1)); done
	docker version >/dev/null 2>&1
}
stop_dockerd() {
	[ -n "$DK_PID" ] || return 0
	kill "$DK_PID" 2>/dev/null; wait_gone "$DK_PID" || { kill -9 "$DK_PID"; wait_gone "$DK_PID"; }
	DK_PID=
	DK_AUTHZ=
}

# An image made offline from Debian's busybox-static.
make_image() {
	mkdir -p "$D/img/bin" "$D/img/etc"
	cp /bin/busybox "$D/img/bin/"
	for c in sh true id sleep cat echo ls grep tr cut readlink test md5sum; do ln -sf busybox "$D/img/bin/$c"; done
	echo 'root:x:0:0:root:/:/bin/sh' > "$D/img/etc/passwd"
	tar -C "$D/img" -cf "$D/img.tar" .
	check "image imported offline" docker import "$D/img.tar" "$IMG"
}

API() { curl -s --max-time 60 --unix-socket "$D/docker.sock" "$@"; }

# A create body dockerd accepts and default.yaml should allow: CapAdd as a single string.
CAPSTR='{"Image":"cge2e:busybox","User":"1000","Cmd":["true"],"HostConfig":{"Memory":67108864,"NanoCpus":1000000000,"PidsLimit":64,"CapAdd":"NET_BIND_SERVICE"}}'

# effect NAME COMMAND...: phase A's proof that the door leads somewhere.
effect() { local n=$1; shift; check "effect:  $n" "$@"; }

# capline FIELD BIT: a want for all_of, met when /proc/PID/status's FIELD has capability BIT.
capline() { printf '@cap %s %s' "$1" "$2"; }
# all_of TEXT WANT...: every WANT is in TEXT (a fixed string, or a capline).
all_of() {
	local text=$1 w hex; shift
	for w in "$@"; do
		case $w in
		"@cap "*)
			set -- $w
			hex=$(printf '%s\n' "$text" | sed -n "s/^.*$2:[[:space:]]*\([0-9a-f]*\).*/\1/p" | head -1)
			[ -n "$hex" ] && [ $(((0x$hex >> $3) & 1)) = 1 ] || return 1 ;;
		*) has "$text" "$w" || return 1 ;;
		esac
	done
}
# ge A B: both are whole numbers and A >= B.
ge() { case "$1$2" in *[!0-9]*|'') return 1 ;; esac; [ "$1" -ge "$2" ]; }

# denied NAME docker-args...: the CLI fails with the AuthZ plugin's denial.
denied() {
	local n=$1 out rc; shift
	out=$(timeout 60 "$@" 2>&1); rc=$?
	if [ $rc -ne 0 ] && has "$out" "authorization denied by plugin $NAME"; then
		ok "$n"
	else
		bad "$n" "rc=$rc: $(printf '%s' "$out" | head -c 300)"
	fi
}
# rawdeny NAME EXPECTED curl-args...: the raw API answer is the AuthZ plugin's denial, and
# names EXPECTED (a denial for another reason would hide the door).
rawdeny() {
	local n=$1 want=$2 out; shift 2
	out=$(API "$@")
	if has "$out" "authorization denied by plugin $NAME" && has "$out" "$want"; then
		ok "$n"
	else
		bad "$n" "$(printf '%s' "$out" | head -c 300)"
	fi
}
# rawok NAME HTTP-STATUS curl-args...: dockerd answers with that status.
rawok() {
	local n=$1 want=$2 out; shift 2
	out=$(API -w '\n%{http_code}' "$@")
	if [ "$(printf '%s' "$out" | tail -1)" = "$want" ]; then ok "$n"; else bad "$n" "$(printf '%s' "$out" | head -c 300)"; fi
}

# Swarm tasks: their containers carry the service's name as a label.
task_ids() { docker ps -q --filter "label=com.docker.swarm.service.name=$1" 2>/dev/null; }
# task_logs SERVICE WANT: a running task's output once it holds WANT (30 s at most).
task_logs() {
	local i=0 c out=
	while [ $i -lt 60 ]; do
		for c in $(task_ids "$1"); do
			out=$(docker logs "$c" 2>&1)
			has "$out" "$2" && { printf '%s\n' "$out"; return 0; }
		done
		sleep 0.5; i=$((i + 1))
	done
	printf '%s\n' "$out"
}
# task_inspect SERVICE FORMAT WANT: a running task's inspect FORMAT once it holds WANT.
task_inspect() {
	local i=0 c out=
	while [ $i -lt 60 ]; do
		for c in $(task_ids "$1"); do
			out=$(docker inspect -f "$2" "$c" 2>&1)
			has "$out" "$3" && { printf '%s\n' "$out"; return 0; }
		done
		sleep 0.5; i=$((i + 1))
	done
	printf '%s\n' "$out"
}
wait_no_tasks() {
	local i=0
	while [ $i -lt 60 ] && [ -n "$(docker ps -aq --filter label=com.docker.swarm.service.name 2>/dev/null)" ]; do
		sleep 0.5; i=$((i + 1))
	done
}
# Swarm makes a host bridge, docker_gwbridge; ours goes when the swarm does.
remove_gwbridge() { docker network rm docker_gwbridge >/dev/null 2>&1; }
no_gwbridge() { [ -n "$GWBRIDGE_BEFORE" ] || ! ip link show docker_gwbridge >/dev/null 2>&1; }
no_procs() { ! pgrep -f "$D/" >/dev/null; }
no_mounts() { ! grep -q "$D" /proc/mounts; }

# Undo everything through a dockerd without the plugin (cisgate may refuse the undoing), then
# stop it and cisgate, unmount what dockerd left, remove the directories. Runs once.
CLEANED=
cleanup() {
	[ -n "$CLEANED" ] && return 0
	CLEANED=1
	[ -n "$DK_AUTHZ" ] && stop_dockerd
	if [ -d "$D/root" ] && { [ -n "$DK_PID" ] || start_dockerd; }; then
		docker service rm $(docker service ls -q 2>/dev/null) >/dev/null 2>&1
		docker swarm leave --force >/dev/null 2>&1
		docker rm -f $(docker ps -aq) >/dev/null 2>&1
		for p in $(docker plugin ls -q 2>/dev/null); do
			docker plugin disable -f "$p" >/dev/null 2>&1
			docker plugin rm -f "$p" >/dev/null 2>&1
		done
		docker volume rm $(docker volume ls -q) >/dev/null 2>&1
		remove_gwbridge
	fi
	stop_dockerd
	stop_cisgate
	[ -n "$GWBRIDGE_BEFORE" ] || ip link del docker_gwbridge 2>/dev/null
	grep -o " $D[^ ]*" /proc/mounts | sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
	rm -rf "$D" "$W" "$DATA"
	rm -f "$SOCK"
}
