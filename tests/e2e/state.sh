#!/bin/bash
# End-to-end acceptance for issue 14: cisgate judges the container that will run, through
# its own read-only lookups in dockerd, with the real dockerd 20.10 and docker CLI:
#   - exec without -u: the container's USER (uid 1000: allowed; root: denied, said why);
#   - run of an image with USER 1000 and no -u passes root-user;
#   - --net/--pid container:X and --volumes-from X judged on X (host network, host pid, a
#     Docker socket mount: denied; a compliant X: allowed);
#   - a local `docker tag` does not carry an image exemption (a digest one does);
#   - many concurrent execs with --workers 1 (cisgate's GETs come back to it as AuthZ
#     requests: no deadlock);
#   - the daemon socket dead under cisgate: what needs a lookup is denied with a reason,
#     the rest still decided;
#   - `docker inspect` of every compliant container left running checks as allow.
# CAPTURE=FILE also writes that inspect output to FILE (tests/fixtures/inspect-e2e.json).
# Everything started here is stopped by its PID; every directory is removed.
# Usage: state.sh [CISGATE-BINARY]   (root; dockerd 20.10, docker CLI, busybox-static)
set -u
BIN=$(readlink -f "${1:-build/cisgate}")
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
. "$ROOT/tests/proto/lib.sh"

. "$HERE/sidedoors_lib.sh"
e2e_begin cgst
DATA=/srv/cgst-data-$$
GWBRIDGE_BEFORE=yes
mkdir -p "$DATA"
trap cleanup EXIT
start_cisgate() { # start_cisgate [POLICY]
	"$BIN" serve --socket "$SOCK" --policy "${1:-$D/policy.yaml}" --workers 1 2>>"$D/cisgate.err" &
	CG_PID=$!
	wait_up "$SOCK"
}
LIM="--memory 64m --cpus 1 --pids-limit 64"
IMG=cge2e:busybox
U1000=cge2e:u1000
OK="--label cge2e.compliant=1"

echo "== setup: a private dockerd without the plugin, images, the containers joins borrow from"
start_dockerd || { echo "FAIL dockerd did not start"; tail -20 "$D/dockerd.log"; exit 1; }
mkdir -p "$D/img/bin" "$D/img/etc"
cp /bin/busybox "$D/img/bin/"
for c in sh true id sleep cat; do ln -sf busybox "$D/img/bin/$c"; done
printf 'root:x:0:0:root:/:/bin/sh\napp:x:1000:1000:app:/:/bin/sh\n' > "$D/img/etc/passwd"
tar -C "$D/img" -cf "$D/img.tar" .
check "image without USER imported" docker import "$D/img.tar" "$IMG"
check "image with USER 1000 imported" docker import -c 'USER 1000' "$D/img.tar" "$U1000"
U1000_ID=$(docker image inspect -f '{{.Id}}' "$U1000")
# An image whose /etc/group lists app in a group of gid 0 (written "zero", which runc
# reads as 0): runc adds it to a user given without a group.
printf 'root:x:0:\nwheel:x:zero:app\n' > "$D/img/etc/group"
tar -C "$D/img" -cf "$D/img-grp.tar" . && rm -f "$D/img/etc/group"
check "image with an /etc/group imported" docker import "$D/img-grp.tar" cge2e:grp
effect "runc gives -u app the supplementary group 0 that image's /etc/group lists" \
	has " $(docker run --rm -u app $LIM cge2e:grp id -G 2>&1) " " 0 "
docker run -d --name grpc $LIM -u 1000:1000 cge2e:grp sleep 3600 >/dev/null
docker run -d --name rootc $LIM $IMG sleep 3600 >/dev/null
docker run -d --name u1000c $OK $LIM -u 1000 $IMG sleep 3600 >/dev/null
docker run -d --name good $OK $LIM -u 1000:1000 $IMG sleep 3600 >/dev/null
# Non-compliant ones come back with dockerd by their restart policy (dockerd's own starts
# reach no plugin); a plain start of one under cisgate is judged.
RS="--restart unless-stopped"
docker run -d --name hostnet $RS --net host $LIM -u 1000 $IMG sleep 3600 >/dev/null
docker run -d --name hostpid $RS --pid host $LIM -u 1000 $IMG sleep 3600 >/dev/null
# A link to the host network one step away (made before cisgate, as an old container is).
docker run -d --name hostchain $RS --net container:hostnet $LIM -u 1000 $IMG sleep 3600 >/dev/null
docker run -d --name sockx $RS -v "$D/docker.sock:/var/run/docker.sock" $LIM -u 1000 $IMG sleep 3600 >/dev/null
docker create --name privc --privileged $LIM -u 1000 $IMG sleep 3600 >/dev/null
# Made from a local tag onto a name the policy waives by glob: the tag carries no waiver.
docker tag "$IMG" cge2e/priv:old
docker create --name privtag --privileged $LIM -u 1000 cge2e/priv:old sleep 3600 >/dev/null
check "the containers to join run" test "$(docker ps -q | wc -l)" = 8
# Named volumes made while cisgate was not there: one that binds the host's /etc (the door:
# a later -v etcvol:/x reads the host's /etc, /etc/shadow included), and a plain one. The
# bind is read-only (denied all the same) so that nothing here can ever write the host's
# /etc, even a cleanup that meets it still mounted.
docker volume create --opt type=none --opt o=bind,ro --opt device=/etc cge2e-etcvol >/dev/null
docker volume create cge2e-data >/dev/null
docker create --name etcc -v cge2e-etcvol:/x $LIM -u 1000 $IMG sleep 3600 >/dev/null
# A bind of a plain directory, whose source a host user may later swap for a link.
mkdir -p "$DATA/swap/data" && echo plain > "$DATA/swap/data/file"
docker create --name swapc -v "$DATA/swap/data:/d:ro" $LIM -u 1000 $IMG sleep 3600 >/dev/null
effect "a volume made with o=bind,ro,device=/etc mounts the host's /etc" \
	test "$(docker run --rm -v cge2e-etcvol:/x $IMG cat /x/hostname 2>/dev/null)" = "$(cat /etc/hostname)"
stop_dockerd

# The shipped default policy, with our audit log, our dockerd's socket (as daemon.socket
# and as a Docker socket), and two image exemptions for privileged: a glob a local tag
# could name, and the reviewed image's ID.
sed -e "s#/var/log/cisgate/audit.log#$D/log/audit.log#" \
    -e "s#^  socket: /run/docker.sock#  socket: $D/docker.sock#" \
    -e "s#^  timeout: 2s#  timeout: 10s#" \
    -e "s#^  docker-socket: .*#  docker-socket: {action: deny, extra_paths: [$D/docker.sock]}#" \
    "$ROOT/policy/default.yaml" > "$D/policy.yaml"
sed -i '/^exemptions:/,$d' "$D/policy.yaml"
cat >> "$D/policy.yaml" <<P
exemptions:
  - name: e2e-glob
    reason: a waiver by name, as a team might write it
    rules: [privileged]
    match: {image: "cge2e/priv:*"}
  - name: e2e-digest
    reason: the reviewed image, by ID
    rules: [privileged]
    match: {image: "$U1000_ID"}
P
chmod 644 "$D/policy.yaml"
check "the e2e policy lints" "$BIN" lint "$D/policy.yaml"

echo "== with cisgate (--workers 1) in front of the same dockerd"
start_cisgate || { echo "FAIL cisgate did not start"; cat "$D/cisgate.err"; exit 1; }
start_dockerd "$NAME" || { echo "FAIL dockerd did not start with the plugin"; exit 1; }
ok "dockerd runs with $NAME"
# A plain start looks the container up: compliant ones (root-user only warns) run again.
check "the compliant containers are started again" timeout -k 5 60 docker start rootc u1000c good grpc
running() { [ "$(docker inspect -f '{{.State.Running}}' "$@" 2>/dev/null | sort -u)" = true ]; }
for i in $(seq 100); do running hostnet hostpid sockx && break; sleep 0.2; done
check "the others came back with dockerd (restart policy), unseen by any plugin" running hostnet hostpid sockx
out=$(docker start privc 2>&1)
check "a plain start of a privileged container made before cisgate is denied, saying so" \
	all_of "$out" "authorization denied by plugin $NAME" "[CIS 5.4] privileged: start runs container privc, made outside this policy" "recreate it"
out=$(docker start privtag 2>&1)
check "... and one made from a local tag onto a waived image name (the tag carries no waiver)" \
	all_of "$out" "authorization denied by plugin $NAME" "start runs container privtag"
out=$(docker update --restart on-failure:3 privc 2>&1)
check "giving it a restart policy (dockerd would start it on its own) is denied too" \
	all_of "$out" "authorization denied by plugin $NAME" "update gives a restart policy to container privc"
out=$(docker start etcc 2>&1)
check "a plain start of a container on the /etc volume made before cisgate is denied" \
	all_of "$out" "authorization denied by plugin $NAME" "start runs container etcc" "volume cge2e-etcvol"
check "... and neither started" sh -c "! docker inspect -f '{{.State.Running}}' privc etcc | grep -q true"
out=$(docker exec -u 1000:1000 hostpid true 2>&1)
check "exec into a host-PID container made before cisgate is denied" \
	all_of "$out" "authorization denied by plugin $NAME" "[CIS 5.15] host-pid: exec enters container hostpid"
out=$(timeout 20 docker attach --no-stdin hostpid 2>&1)
# The CLI prints a refused hijack as "unable to upgrade to tcp, received 403 ..."; the record says why.
check "attach to a host-PID container made before cisgate is denied (the CLI says 403)" has "$out" "received 403"
check "... and the record says why" grep -q 'host-pid: attach enters container hostpid' "$D/log/audit.log"
out=$(docker exec -u 1000:1000 hostchain true 2>&1)
check "exec into a container that joins a host-network one is denied, naming the join" \
	all_of "$out" "[CIS 5.9] host-network: exec enters container hostchain" "inherits from container $(docker inspect -f '{{.Id}}' hostnet | cut -c1-12)"
out=$(docker restart -t 1 sockx 2>&1)
check "restart of a container that mounts the Docker socket is denied" \
	all_of "$out" "authorization denied by plugin $NAME" "restart runs container sockx"
check "... and it still runs" running sockx
check "restart of a compliant container is allowed" timeout -k 5 60 docker restart -t 1 good

out=$(timeout -k 5 60 docker exec u1000c id 2>&1)
if has "$out" "uid=1000(app) gid=1000"; then ok "exec without -u into a uid-1000 container is allowed"; else bad "exec without -u into a uid-1000 container is allowed" "$out"; fi
denied "exec without -u into a root container is denied" docker exec rootc id
check "... saying who it runs as and why" has "$(docker exec rootc id 2>&1)" "runs as root: container rootc has no USER"
check "the exec's record names the container, its image and labels" sh -c "grep '\"endpoint\":\"exec_create\"' '$D/log/audit.log' | grep -q '\"container\":\"u1000c\",\"image\":\"$IMG\",\"labels\":{\"cge2e.compliant\":\"1\"}'"

out=$(timeout -k 5 60 docker run --rm $LIM $OK $U1000 id -u 2>&1)
check "run of an image with USER 1000 and no -u is allowed (runs as 1000)" test "$out" = 1000
check "... and passes root-user (no violation recorded)" sh -c "grep '\"image\":\"$U1000\"' '$D/log/audit.log' | grep '\"endpoint\":\"container_create\"' | tail -1 | grep -qv root-user"
timeout -k 5 60 docker run --rm $LIM $IMG true >/dev/null 2>&1
check "run of an image without USER: root-user says so (warn in default.yaml)" sh -c "grep -q 'runs as root: image $IMG has no USER' '$D/log/audit.log'"

denied "--net container:X where X uses the host network is denied" docker run --rm $LIM -u 1000 --net container:hostnet $IMG true
check "... naming X and what it inherits" has "$(docker run --rm $LIM -u 1000 --net container:hostnet $IMG true 2>&1)" "inherits from container hostnet: it shares the host's namespace"
denied "--pid container:X where X uses the host PID namespace is denied" docker run --rm $LIM -u 1000 --pid container:hostpid $IMG true
denied "--volumes-from X where X mounts the Docker socket is denied" docker run --rm $LIM -u 1000 --volumes-from sockx:ro $IMG true
check "--net container:X of a compliant X is allowed" timeout -k 5 60 docker run --rm $LIM -u 1000 --net container:good $IMG true
check "--pid container:X of a compliant X is allowed" timeout -k 5 60 docker run --rm $LIM -u 1000 --pid container:good $IMG true
check "--volumes-from X of a compliant X is allowed" timeout -k 5 60 docker run --rm $LIM -u 1000 --volumes-from good $IMG true
# Chains are followed, one lookup round a link: what the chain ends in is judged (compose's
# network_mode service:vpn for web, and pid service:web for a debug sidecar).
timeout -k 5 60 docker run -d --name chainweb $LIM -u 1000 --net container:good $IMG sleep 300 >/dev/null 2>&1
check "a chain: --pid container:W, where W joins a compliant container's network, is allowed" \
	timeout -k 5 60 docker run --rm $LIM -u 1000 --pid container:chainweb $IMG true
check "a chain: --net container:W (the network W itself joins) is allowed" \
	timeout -k 5 60 docker run --rm $LIM -u 1000 --net container:chainweb $IMG true
out=$(timeout -k 5 60 docker run --rm $LIM -u 1000 --pid container:hostchain $IMG true 2>&1)
check "a chain to the host network: --pid container:hostchain is denied, naming the link" \
	all_of "$out" "authorization denied by plugin" "through container hostchain" "it shares the host's namespace"
docker rm -f chainweb >/dev/null 2>&1

# A named volume is looked up: what it was made with is judged like a bind.
out=$(timeout -k 5 60 docker run --rm $LIM $OK -u 1000 -v cge2e-etcvol:/x $IMG true 2>&1)
check "a volume made before cisgate that binds /etc: -v cge2e-etcvol:/x is denied, naming it" \
	all_of "$out" "authorization denied by plugin" "volume cge2e-etcvol's options" "/etc"
denied "... and through --mount type=volume too" docker run --rm $LIM $OK -u 1000 \
	--mount type=volume,src=cge2e-etcvol,dst=/x $IMG true
check "a plain named volume made before cisgate is allowed" \
	timeout -k 5 60 docker run --rm $LIM $OK -u 1000 -v cge2e-data:/data $IMG true
check "a named volume the run itself makes is allowed" \
	timeout -k 5 60 docker run --rm $LIM $OK -u 1000 -v cge2e-new:/data $IMG true

docker tag "$IMG" cge2e/priv:x
denied "a local docker tag onto a waived name does not carry the exemption" docker run --rm $LIM -u 1000 --privileged cge2e/priv:x true
check "an exemption by image ID waives for that image" timeout -k 5 60 docker run --rm $LIM -u 1000 --privileged $U1000 true

out=$(timeout -k 5 60 docker exec -u app grpc id 2>&1)
check "exec -u app into it is denied: group 0 among its supplementary groups" \
	all_of "$out" "authorization denied by plugin $NAME" "runs with group 0 (root) among its supplementary groups" "lists \"app\" in a group of gid 0"
check "exec -u 1000:1000 into it (no groups from /etc/group) is allowed" timeout -k 5 60 docker exec -u 1000:1000 grpc true
# dockerd mounts a container's binds again at each start or copy, following what the
# source leads to then: cisgate resolves them on the host at that moment too.
check "a container whose bind source is a plain directory starts" timeout -k 5 60 docker start swapc
out=$(timeout -k 5 60 docker cp swapc:/d/file - 2>&1 | tar -xO 2>&1)
check "docker cp reads through its bind" test "$out" = plain
docker stop -t 1 swapc >/dev/null 2>&1
# The host user who owns the directory swaps the source for a link to /etc (read-only bind).
mv "$DATA/swap/data" "$DATA/swap/data.old" && ln -s /etc "$DATA/swap/data"
out=$(timeout -k 5 60 docker start swapc 2>&1)
check "after the swap: its start is denied, the source judged where it leads now" \
	all_of "$out" "authorization denied by plugin $NAME" "sensitive-mounts: start runs container swapc" "/etc"
out=$(timeout -k 5 60 docker cp swapc:/d/hostname - 2>&1)
check "after the swap: docker cp out of it is denied" \
	all_of "$out" "authorization denied by plugin $NAME" "sensitive-mounts: cp reads from container swapc"
rm -f "$DATA/swap/data"
# Many concurrent execs through one worker: each needs lookups whose GETs come back to
# cisgate as AuthZ requests.
EXECS=
# (daemon.timeout is 10s here: 40 archive copies at once on vfs storage can take a while
# on a loaded machine, and a lookup that times out is a deny, as it should be.)
for i in $(seq 40); do (timeout -k 5 60 docker exec u1000c true >/dev/null 2>"$D/exerr.$i" && echo ok > "$D/ex.$i") & EXECS="$EXECS $!"; done
wait $EXECS	# only these: cisgate and dockerd are children too
n=$(cat "$D"/ex.* 2>/dev/null | wc -l)
if [ "$n" = 40 ]; then ok "40 concurrent execs with --workers 1: all allowed, no deadlock"
else bad "40 concurrent execs with --workers 1: all allowed, no deadlock" "$n allowed; $(cat "$D"/exerr.* | sort | uniq -c | head -3)"; fi

# Compliant containers left running: their inspect output checks as allow.
docker run -d --name late $OK $LIM -u 1000:1000 $IMG sleep 3600 >/dev/null 2>&1
docker inspect $(docker ps -q --filter label=cge2e.compliant=1) > "$D/inspect.json"
check "compliant containers left running: 3" test "$(jq length "$D/inspect.json")" = 3
check "their docker inspect checks as allow under the same policy" "$BIN" check --policy "$D/policy.yaml" "$D/inspect.json"
[ -n "${CAPTURE:-}" ] && jq 'map(del(.State, .NetworkSettings, .LogPath, .ResolvConfPath, .HostnamePath, .HostsPath, .GraphDriver))' "$D/inspect.json" | sed "s#$D#/tmp/cgst#g" > "$CAPTURE"

echo "== the daemon socket dead under cisgate"
docker stop -t 1 good >/dev/null 2>&1
stop_cisgate
sed "s#^  socket: $D/docker.sock#  socket: $D/dead.sock#" "$D/policy.yaml" > "$D/dead.yaml"
chmod 644 "$D/dead.yaml"
start_cisgate "$D/dead.yaml" || { echo "FAIL cisgate did not restart"; exit 1; }
out=$(timeout -k 5 60 docker exec u1000c id 2>&1)
if has "$out" "authorization denied by plugin $NAME" && has "$out" "could not read container u1000c (exec target) from dockerd"; then
	ok "exec needing a lookup is denied, saying dockerd could not be read"
else bad "exec needing a lookup is denied, saying dockerd could not be read" "$out"; fi
check "a compliant run is still allowed (dockerd cannot be asked about its start, but this cisgate allowed its create)" \
	timeout -k 5 60 docker run --rm $LIM -u 1000 $IMG true
out=$(timeout -k 5 60 docker start good 2>&1)
check "a plain start of a container made before this cisgate ran is looked up: denied, saying dockerd could not be read" \
	all_of "$out" "authorization denied by plugin $NAME" "could not read container good (container started) from dockerd"
denied "a privileged run is still denied by its rule" docker run --rm $LIM -u 1000 --privileged $IMG true

echo "== an exemption by user (TLS), and cisgate's own reads of /etc/passwd"
# etcc mounts the volume that binds the host's /etc: a user the policy exempts from
# sensitive-mounts may start it, exec into it and copy out of it. An exec without -u reads
# the container's /etc/passwd for its user through dockerd's archive route, which comes
# back to cisgate as an AuthZ request with no user: cisgate tells it by its token, so the
# exemption of the exec's user still decides.
stop_cisgate
cp "$D/policy.yaml" "$D/alice.yaml"
cat >> "$D/alice.yaml" <<P
  - name: e2e-alice
    reason: an operator who may enter the old /etc-mounting container
    rules: [sensitive-mounts]
    match: {user: alice}
P
chmod 644 "$D/alice.yaml"
start_cisgate "$D/alice.yaml" || { echo "FAIL cisgate did not restart"; exit 1; }
mkdir -p "$D/tls"
(
	cd "$D/tls" || exit 1
	EC="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
	openssl req -x509 $EC -keyout ca.key -out ca.pem -days 2 -subj /CN=cge2e-ca
	openssl req $EC -keyout server.key -out server.csr -subj /CN=localhost
	printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > server.ext
	openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile server.ext
	openssl req $EC -keyout alice.key -out alice.csr -subj /CN=alice
	printf 'extendedKeyUsage=clientAuth\n' > client.ext
	openssl x509 -req -in alice.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out alice.pem -days 2 -extfile client.ext
) >/dev/null 2>&1
TP=$((20000 + $$ % 20000))
stop_dockerd
DK_EXTRA="-H tcp://127.0.0.1:$TP --tlsverify --tlscacert $D/tls/ca.pem --tlscert $D/tls/server.pem --tlskey $D/tls/server.key" \
	start_dockerd "$NAME" || { echo "FAIL dockerd did not start with TLS"; tail -5 "$D/dockerd.log"; exit 1; }
alice() { timeout -k 5 60 docker -H "tcp://127.0.0.1:$TP" --tlsverify --tlscacert "$D/tls/ca.pem" \
	--tlscert "$D/tls/alice.pem" --tlskey "$D/tls/alice.key" "$@"; }
out=$(timeout -k 5 60 docker start etcc 2>&1)
check "without the exemption: a start of etcc (the /etc volume) is denied" \
	all_of "$out" "authorization denied by plugin $NAME" "sensitive-mounts: start runs container etcc"
check "alice (exempted by user over TLS) starts etcc" alice start etcc
out=$(alice exec etcc id -u 2>&1)
check "alice execs into etcc without -u (its uid 1000 resolved through its /etc/passwd)" test "$out" = 1000
out=$(alice cp etcc:/x/hostname - 2>&1 | tar -xO 2>&1)
check "alice copies out of etcc" test "$out" = "$(cat /etc/hostname)"
out=$(timeout -k 5 60 docker exec etcc id 2>&1)
check "without the exemption: the same exec is denied for the container's mount" \
	all_of "$out" "authorization denied by plugin $NAME" "sensitive-mounts: exec enters container etcc"
out=$(timeout -k 5 60 docker cp etcc:/x/hostname - 2>&1)
check "without the exemption: the same copy is denied" \
	all_of "$out" "authorization denied by plugin $NAME" "sensitive-mounts: cp reads from container etcc"
docker stop -t 1 etcc >/dev/null 2>&1

summary
