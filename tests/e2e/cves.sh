#!/bin/bash
# End-to-end acceptance for issue 18's daemon-cves rules on the real dockerd 20.10 here
# (Debian's 20.10.24: before every fixed release in the table). cisgate reads dockerd's
# version with GET /version through the daemon client, and then:
#   - `docker cp` of an xz archive into a running container (CVE-2026-41567, fixed in
#     29.5.1) is denied with the CVE and the fixed version, although the policy lists
#     container_archive_put; a read (docker cp out) is allowed;
#   - a create whose body does not reach the plugin (chunked, CVE-2024-41110) is denied;
#   - `cisgate daemon-report` says which entries apply.
# Without cisgate the same upload works (the door is open). Everything started here is
# stopped by its PID and every directory removed, also when a check fails.
# Usage: cves.sh [CISGATE-BINARY]   (root; dockerd 20.10, docker CLI, busybox-static, xz)
set -u
BIN=$(readlink -f "${1:-build/cisgate}")
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
. "$ROOT/tests/proto/lib.sh"

. "$HERE/sidedoors_lib.sh"
e2e_begin cgcve
CLEANED=
DATA=$D/data
GWBRIDGE_BEFORE=$(ip link show docker_gwbridge >/dev/null 2>&1 && echo yes)
trap cleanup EXIT

# The shipped default policy, with the audit log here, dockerd's socket the private one,
# and docker cp into containers listed: only the CVE entry stands between it and dockerd.
sed -e "s#/var/log/cisgate/audit.log#$D/log/audit.log#" \
    -e "s#^  socket: /run/docker.sock#  socket: $D/docker.sock#" \
    -e 's#^allowed_routes: \[\]$#allowed_routes: [container_archive_put]#' \
    "$ROOT/policy/default.yaml" > "$D/policy.yaml"
chmod 644 "$D/policy.yaml"
check "policy: daemon.socket is the private dockerd's" grep -q "socket: $D/docker.sock" "$D/policy.yaml"
check "policy: container_archive_put is listed" grep -q 'allowed_routes: \[container_archive_put\]' "$D/policy.yaml"
LIM="--memory 64m --cpus 1 --pids-limit 64"
IMG=cge2e:busybox

# An xz-compressed tar, as `docker cp - C:/dir` passes it through to dockerd.
mkdir -p "$D/payload"
echo "copied in" > "$D/payload/cve-file"
tar -C "$D/payload" -cf - cve-file | xz -c > "$D/payload.tar.xz"

echo "== without cisgate: the upload reaches dockerd"
start_dockerd || { echo "FAIL dockerd did not start"; tail -20 "$D/dockerd.log"; exit 1; }
VER=$(docker version -f '{{.Server.Version}}')
ok "dockerd $VER runs without an authorization plugin"
make_image
CID=$(docker create $LIM -u 1000 --name cgcve-run $IMG sleep 600)
docker start "$CID" >/dev/null
out=$(docker cp - "$CID:/" < "$D/payload.tar.xz" 2>&1; docker exec "$CID" cat /cve-file 2>&1)
check "effect:  docker cp - of an xz archive into a running container is unpacked" has "$out" "copied in"
docker exec "$CID" rm -f /cve-file >/dev/null 2>&1
stop_dockerd

echo "== with cisgate (policy/default.yaml, container_archive_put listed)"
start_cisgate || { bad "cisgate starts"; exit 1; }
start_dockerd "$NAME" || { bad "dockerd starts with cisgate"; tail -20 "$D/dockerd.log"; exit 1; }
docker start "$CID" >/dev/null 2>&1
# cisgate asks GET /version every 5 s until dockerd answers; then the next tick (1 s).
i=0; while [ $i -lt 150 ] && ! grep -q "daemon-cves entries judged" "$D/cisgate.err"; do sleep 0.1; i=$((i + 1)); done
sleep 1.2
check "cisgate read dockerd's version through its daemon client" grep -q "dockerd $VER: daemon-cves entries judged" "$D/cisgate.err"
check "the container runs" test "$(docker inspect -f '{{.State.Running}}' "$CID" 2>&1)" = true
out=$(timeout -k 5 60 docker cp - "$CID:/" < "$D/payload.tar.xz" 2>&1)
check "denied:  docker cp - of an xz archive into a running container" has "$out" "authorization denied by plugin $NAME"
check "denied:  the message names CVE-2026-41567 and the fixed version" has "$out" "has CVE-2026-41567 (fixed in 29.5.1)"
check "denied:  nothing was unpacked" sh -c "! docker exec $CID cat /cve-file >/dev/null 2>&1"
out=$(timeout -k 5 60 docker cp "$D/payload/cve-file" "$CID:/" 2>&1)
check "denied:  plain docker cp of a file into the container (the same route)" has "$out" "CVE-2026-41567"
out=$(timeout -k 5 60 docker cp "$CID:/etc/passwd" - 2>&1 | tar -xOf - 2>/dev/null)
check "allowed: docker cp out of the container (a read)" has "$out" "root:x:0:0"
# A create whose body is chunked: dockerd 20.10 without the CVE-2024-41110 fix forwards it to
# the plugin without its body. Denied either way; which reason depends on the fix.
out=$(API -X POST -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' \
	--data-binary '{"Image":"cge2e:busybox","HostConfig":{"Privileged":true}}' "http://d/v1.41/containers/create")
if has "$out" "CVE-2024-41110"; then
	ok "denied:  chunked create: bodyless at the plugin, named CVE-2024-41110 (this dockerd lacks the fix)"
elif has "$out" "authorization denied by plugin $NAME"; then
	ok "denied:  chunked create: its body reached the plugin (this dockerd has the fix) and was judged"
else
	bad "denied:  chunked create" "$(printf '%s' "$out" | head -c 300)"
fi
out=$("$BIN" daemon-report --daemon-socket "$D/docker.sock" --policy "$D/policy.yaml" 2>&1)
check "daemon-report: dockerd's version" has "$out" "version:   $VER"
check "daemon-report: CVE-2026-41567 applies" sh -c "printf '%s' \"\$1\" | grep -q 'CVE-2026-41567  APPLIES'" _ "$out"
check "daemon-report: the rules' actions" has "$out" "cve-2026-41567     deny"
check "cisgate logged no error" sh -c "! grep -qi 'error' '$D/cisgate.err'"
docker rm -f "$CID" >/dev/null 2>&1
summary
