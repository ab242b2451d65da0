#!/bin/bash
# The README's roll-out (Operations 2-4) run as written against a real dockerd: audit mode
# with the shipped default policy -> records with would_deny for the dangerous requests,
# read with the README's jq line -> an exemption with an expiry -> enforce -> a shadow
# strict.yaml under the enforced default.yaml, read back with `cisgate audit diff`. Also
# the read-only mounts sensitive-mounts allows. Everything started here is stopped by its
# PID and every directory removed.
set -u
BIN=$(readlink -f "${1:-build/cisgate}")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/proto/lib.sh"
if [ "$(id -u)" != 0 ]; then echo "e2e needs root (dockerd)"; exit 1; fi
D=$(mktemp -d /tmp/cgroll.XXXXXX)
NAME=cgroll$$
SOCK=/run/docker/plugins/$NAME.sock
export DOCKER_HOST=unix://$D/docker.sock
CG_PID= DK_PID=
P=$D/etc/policy.yaml
LOG=$D/log/audit.log
mkdir -p /run/docker/plugins "$D/log" "$D/etc"

stop_pid() { [ -n "$1" ] && kill "$1" 2>/dev/null && { wait_gone "$1" || { kill -9 "$1"; wait_gone "$1"; }; }; }
cleanup() {
	[ -n "$DK_PID" ] && docker rm -f $(docker ps -aq) >/dev/null 2>&1
	stop_pid "$DK_PID"
	stop_pid "$CG_PID"
	grep -o " $D[^ ]*" /proc/mounts | sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
	rm -rf "$D"
	rm -f "$SOCK"
}
trap cleanup EXIT
reload() { kill -HUP "$CG_PID"; sleep 0.5; } # what `systemctl reload cisgate` sends

# The package's /etc/cisgate/policy.yaml is default.yaml; the log goes to our directory.
# cisgate asks our private dockerd what a request leaves unsaid (the image's USER).
sed -e "s#/var/log/cisgate/audit.log#$LOG#" \
    -e "s#^  socket: /run/docker.sock#  socket: $D/docker.sock#" "$ROOT/policy/default.yaml" > "$P"
chmod 644 "$P"
# Step 2, as the README says it.
sed -i 's/^mode: enforce$/mode: audit/' "$P"
check "step 2: the policy is now in audit mode" grep -qx 'mode: audit' "$P"
"$BIN" serve --socket "$SOCK" --policy "$P" 2>>"$D/cisgate.err" &
CG_PID=$!
wait_up "$SOCK" || { echo "FAIL cisgate did not start"; cat "$D/cisgate.err"; exit 1; }
printf '{"authorization-plugins": ["%s"]}\n' "$NAME" > "$D/daemon.json"
dockerd --config-file "$D/daemon.json" --data-root "$D/root" --exec-root "$D/exec" -H "$DOCKER_HOST" \
	--pidfile "$D/docker.pid" --storage-driver vfs --iptables=false --ip6tables=false --bridge=none \
	>>"$D/dockerd.log" 2>&1 &
DK_PID=$!
i=0; while [ $i -lt 300 ]; do docker version >/dev/null 2>&1 && break; sleep 0.1; i=$((i + 1)); done
check "dockerd runs with cisgate as its authorization plugin" docker version
mkdir -p "$D/img/bin" "$D/img/etc"
cp /bin/busybox "$D/img/bin/"
for c in sh true id sleep cat ls; do ln -sf busybox "$D/img/bin/$c"; done
echo 'root:x:0:0:root:/:/bin/sh' > "$D/img/etc/passwd"
tar -C "$D/img" -cf "$D/img.tar" .
check "image imported offline" docker import "$D/img.tar" cgroll:busybox
LIM="--memory 64m --cpus 1 --pids-limit 64 -u 1000"

# Audit mode: nothing is denied, the dangerous requests are recorded as would_deny.
# (Whether a privileged container can then start depends on the host: not cisgate's call.)
not_denied() { ! has "$1" "authorization denied"; }
out=$(timeout -k 5 60 docker run --rm --privileged --net host cgroll:busybox true 2>&1)
check "audit mode: --privileged --net host is not denied" not_denied "$out"
check "audit mode: a Docker-socket mount runs" timeout -k 5 60 docker run --rm $LIM -v /run/docker.sock:/s cgroll:busybox true
check "audit mode: a compliant run runs" timeout -k 5 60 docker run --rm $LIM --read-only cgroll:busybox true
# The README's jq line, verbatim.
jq -c 'select(.would_deny) | [.time, .image // .path, [.violations[] | select(.action == "deny" and (.waived_by | not)) | .rule]]' "$LOG" > "$D/would.out"
check "jq: the privileged run would be denied for privileged and host-network" \
	sh -c "grep '\"privileged\"' '$D/would.out' | grep -q '\"host-network\"'"
check "jq: the socket mount would be denied for docker-socket" grep -q '"docker-socket"' "$D/would.out"
check "jq: warn-only rules are not listed as blocking" sh -c "! grep -q 'readonly-rootfs\|healthcheck' '$D/would.out'"
# Each non-compliant run is listed for its create, and for its attach and start (which
# judge the container they enter); the compliant run for none.
check "jq: the compliant run is not listed (every line blocks on privileged or docker-socket)" \
	sh -c "jq -se 'all(.[]; any(.[2][]; . == \"privileged\" or . == \"docker-socket\"))' '$D/would.out' >/dev/null"

# An exemption with an expiry for what must stay, then enforce (step 3).
tomorrow=$(date -u -d tomorrow +%F)
yesterday=$(date -u -d yesterday +%F)
python3 - "$P" "$tomorrow" "$yesterday" <<'PY'
import sys
p, tomorrow, yesterday = sys.argv[1:]
s = open(p).read().replace("exemptions: []", f"""exemptions:
  - name: legacy-priv
    reason: legacy agent needs --privileged until its rewrite (SEC-1)
    rules: [privileged]
    match: {{name: "legacy-*"}}
    expires: {tomorrow}
  - name: old-waiver
    reason: ended last sprint (SEC-2)
    rules: [privileged]
    match: {{name: "old-*"}}
    expires: {yesterday}""")
open(p, "w").write(s.replace("\nmode: audit\n", "\nmode: enforce\n"))
PY
out=$("$BIN" lint "$P")
check "step 3: lint passes, warning about the expired and the expiring exemption" \
	sh -c "printf '%s' '$out' | grep -q 'exemption old-waiver expired on' && printf '%s' '$out' | grep -q 'exemption legacy-priv expires on' && printf '%s' '$out' | grep -qx 'policy OK'"
reload
check "enforce: the exempted container runs" timeout -k 5 60 docker run --rm --name legacy-1 $LIM --privileged cgroll:busybox true
out=$(timeout -k 5 60 docker run --rm $LIM --privileged cgroll:busybox true 2>&1)
check "enforce: --privileged elsewhere is denied" has "$out" "[CIS 5.4] privileged"
out=$(timeout -k 5 60 docker run --rm --name old-1 $LIM --privileged cgroll:busybox true 2>&1)
check "enforce: an expired exemption is named in the denial" has "$out" "(exemption old-waiver expired on $(date -u -d "$yesterday + 1 day" +%F) 00:00 UTC"
check "and in its record" sh -c "jq -e 'select(.container == \"old-1\") | .expired_exemption == \"old-waiver\"' '$LOG' | grep -q true"
check "the waived run's record names its exemption" sh -c "jq -e 'select(.container == \"legacy-1\") | .exemption == \"legacy-priv\"' '$LOG' | grep -q true"

# Read-only mounts of time zone files pass; read-write ones do not.
check "a read-only zoneinfo mount is allowed" timeout -k 5 60 docker run --rm $LIM -v /usr/share/zoneinfo:/usr/share/zoneinfo:ro cgroll:busybox ls /usr/share/zoneinfo/UTC
check "--mount ...,readonly too" timeout -k 5 60 docker run --rm $LIM --mount type=bind,src=/etc/localtime,dst=/etc/localtime,readonly cgroll:busybox true
out=$(timeout -k 5 60 docker run --rm $LIM -v /usr/share/zoneinfo:/usr/share/zoneinfo cgroll:busybox true 2>&1)
check "a read-write zoneinfo mount is denied, saying :ro would do" has "$out" "mount it read-only (:ro)"

# Step 4: strict.yaml as the shadow of the enforced default.yaml.
cp "$ROOT/policy/strict.yaml" "$D/etc/strict.yaml"
chmod 644 "$D/etc/strict.yaml"
echo "shadow: $D/etc/strict.yaml" >> "$P"
check "lint checks the shadow with it" sh -c "'$BIN' lint '$P' | grep -q 'shadow policy $D/etc/strict.yaml OK'"
reload
check "shadow: a run default.yaml allows still runs" timeout -k 5 60 docker run --rm --name shadowed $LIM cgroll:busybox true
check "its record holds strict.yaml's deny" sh -c "jq -e 'select(.container == \"shadowed\") | .decision != \"deny\" and .shadow.decision == \"deny\" and ([.shadow.violations[].rule] | index(\"readonly-rootfs\")) != null' '$LOG' | grep -q true"
"$BIN" audit diff --since "$(date -u +%F)" "$LOG" > "$D/diff.out"
check "audit diff: what strict.yaml would have denied, per rule" sh -c "grep -q 'would have denied [1-9][0-9]* request' '$D/diff.out' && grep -q '^  readonly-rootfs ' '$D/diff.out'"
check "the log's chain verifies across the reloads" "$BIN" audit verify "$LOG"
[ "$FAIL" -eq 0 ] || { cat "$D/diff.out"; tail -5 "$D/cisgate.err"; }
summary
