#!/bin/bash
# A two-host fleet on one machine (issue 17): two private dockerds, two cisgate instances
# serving the same signed policy (each named by --host-id, as each host's unit would), both
# sending their audit records as RFC 5424 syslog to one real rsyslogd (Debian's, a
# temporary config: imuxsock on a temporary socket, omfile to a temporary file). The
# collected file must hold every record of both hosts, told apart by host identity (the
# syslog HOSTNAME, the structured data and the record's "host"), with their signed
# checkpoints, which `cisgate audit verify --anchors` accepts. Everything started here is
# stopped by its PID; every directory removed.
set -u
BIN=$(readlink -f "${1:-build/cisgate}")
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
. "$ROOT/tests/proto/lib.sh"

if [ "$(id -u)" != 0 ]; then echo "fleet needs root (dockerd)"; exit 1; fi
command -v rsyslogd >/dev/null || { echo "FAIL rsyslogd is missing (apt-get install rsyslog)"; exit 1; }
D=$(mktemp -d /tmp/cgfleet.XXXXXX)
NAME=cgfleet$$
RS_PID=
CG_PID_a=; CG_PID_b=; DK_PID_a=; DK_PID_b=
mkdir -p /run/docker/plugins "$D/rs" "$D/etc" "$D/a" "$D/b"

cleanup() {
	for h in a b; do
		eval "dk=\$DK_PID_$h; cg=\$CG_PID_$h"
		if [ -n "$dk" ]; then
			DOCKER_HOST=unix://$D/$h/docker.sock docker rm -f $(DOCKER_HOST=unix://$D/$h/docker.sock docker ps -aq) >/dev/null 2>&1
			kill "$dk" 2>/dev/null; wait_gone "$dk" || kill -9 "$dk" 2>/dev/null
		fi
		[ -n "$cg" ] && kill "$cg" 2>/dev/null && wait_gone "$cg"
		rm -f "/run/docker/plugins/$NAME-$h.sock"
	done
	[ -n "$RS_PID" ] && kill "$RS_PID" 2>/dev/null && wait_gone "$RS_PID"
	grep -o " $D[^ ]*" /proc/mounts | sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
	rm -rf "$D"
}
trap cleanup EXIT
[ -n "${KEEP:-}" ] && trap - EXIT

# --- one rsyslogd: the fleet's log pipeline --------------------------------------------------
cat > "$D/rsyslog.conf" <<C
global(workDirectory="$D/rs" maxMessageSize="64k")
module(load="imuxsock" SysSock.Use="off")
input(type="imuxsock" Socket="$D/log.sock" CreatePath="on" UseSpecialParser="off"
      ParseHostname="on" RateLimit.Interval="0")
template(name="fleet" type="string" string="%hostname% %structured-data% %msg%\\n")
*.* action(type="omfile" file="$D/collected.log" template="fleet")
C
rsyslogd -n -f "$D/rsyslog.conf" -i "$D/rs/rsyslogd.pid" > "$D/rsyslog.out" 2>&1 &
RS_PID=$!
wait_sock "$D/log.sock" || { echo "FAIL rsyslogd did not start"; cat "$D/rsyslog.out"; exit 1; }
ok "rsyslogd $(rsyslogd -v | head -1 | awk '{print $2}' | tr -d ,) listens on $D/log.sock"

# --- one signed policy for both hosts -------------------------------------------------------
"$BIN" audit keygen "$D/etc/policy-signer" >/dev/null
"$BIN" audit keygen "$D/etc/audit" >/dev/null
mkdir "$D/etc/policy-keys.d"; cp "$D/etc/policy-signer.pub" "$D/etc/policy-keys.d/"
sed -e "s#^  file: /var/log/cisgate/audit.log#  file: /var/log/cisgate/audit.log\n  syslog: true\n  syslog_socket: $D/log.sock\n  syslog_format: rfc5424\n  signing_key: $D/etc/audit.key\n  checkpoint_every: 3#" \
	"$ROOT/policy/default.yaml" > "$D/etc/policy.yaml"
chmod 644 "$D/etc/policy.yaml"
"$BIN" policy sign --key "$D/etc/policy-signer.key" "$D/etc/policy.yaml" >/dev/null
check "the shared policy lints with its key beside it" "$BIN" lint "$D/etc/policy.yaml"

# --- two hosts: dockerd + cisgate each --------------------------------------------------------
start_host() { # start_host a|b
	local h=$1 sock=/run/docker/plugins/$NAME-$1.sock
	# The policy-keys.d/ beside the policy makes the signature required.
	"$BIN" serve --socket "$sock" --policy "$D/etc/policy.yaml" --host-id "host-$h.fleet.test" \
		--audit-file "$D/$h/audit.log" 2>>"$D/$h/cisgate.err" &
	eval "CG_PID_$h=$!"
	wait_up "$sock" || return 1
	printf '{"authorization-plugins": ["%s"]}\n' "$NAME-$h" > "$D/$h/daemon.json"
	dockerd --config-file "$D/$h/daemon.json" --data-root "$D/$h/root" --exec-root "$D/$h/exec" \
		-H "unix://$D/$h/docker.sock" --pidfile "$D/$h/docker.pid" --storage-driver vfs \
		--iptables=false --ip6tables=false --bridge=none >>"$D/$h/dockerd.log" 2>&1 &
	i=0; while [ $i -lt 300 ]; do DOCKER_HOST=unix://$D/$h/docker.sock docker version >/dev/null 2>&1 && break; sleep 0.1; i=$((i + 1)); done
	eval "DK_PID_$h=$(cat "$D/$h/docker.pid" 2>/dev/null)"
	DOCKER_HOST=unix://$D/$h/docker.sock docker version >/dev/null 2>&1
}
for h in a b; do
	start_host $h || { echo "FAIL host $h did not start"; cat "$D/$h/cisgate.err"; tail -5 "$D/$h/dockerd.log"; exit 1; }
	check "host $h: cisgate serves the signed policy" grep -q "signed by key" "$D/$h/cisgate.err"
done

mkdir -p "$D/img/bin" "$D/img/etc"
cp /bin/busybox "$D/img/bin/"
for c in sh true id; do ln -sf busybox "$D/img/bin/$c"; done
echo 'root:x:0:0:root:/:/bin/sh' > "$D/img/etc/passwd"
tar -C "$D/img" -cf "$D/img.tar" .
LIM="--memory 64m --cpus 1 --pids-limit 64"
dk() { local h=$1; shift; DOCKER_HOST=unix://$D/$h/docker.sock timeout -k 5 60 docker "$@"; }
for h in a b; do check "host $h: image imported" dk $h import "$D/img.tar" cgfleet:busybox; done
check "host a: a compliant run runs" test "$(dk a run --rm $LIM -u 1000 cgfleet:busybox id -u 2>&1)" = 1000
check "host a: a second one" test "$(dk a run --rm $LIM -u 1000 cgfleet:busybox id -u 2>&1)" = 1000
check "host a: --privileged denied" has "$(dk a run --rm $LIM --privileged cgfleet:busybox true 2>&1)" "[CIS 5.4] privileged"
check "host b: --privileged denied" has "$(dk b run --rm $LIM --privileged cgfleet:busybox true 2>&1)" "[CIS 5.4] privileged"
check "host b: --pid host denied" has "$(dk b run --rm $LIM --pid host cgfleet:busybox true 2>&1)" "[CIS 5.15] host-pid"
check "host b: a compliant run runs" test "$(dk b run --rm $LIM -u 1000 cgfleet:busybox id -u 2>&1)" = 1000

# Stop both cisgates (their last checkpoint and "stop" go out too), then read what arrived.
for h in a b; do
	eval "dk=\$DK_PID_$h; cg=\$CG_PID_$h"
	kill "$dk"; wait_gone "$dk"; eval "DK_PID_$h="
	kill "$cg"; wait_gone "$cg"; eval "CG_PID_$h="
done
sleep 1
for h in a b; do
	n=$(wc -l < "$D/$h/audit.log")
	got=$(grep -c "^host-$h.fleet.test \[cisgate@32473 host=\"host-$h.fleet.test\" kind=\"[a-z]*\"\] {" "$D/collected.log")
	check "host $h: every one of its $n records reached rsyslogd under its HOSTNAME and structured data ($got)" test "$got" = "$n"
	grep "^host-$h.fleet.test " "$D/collected.log" | sed 's/^[^{]*//' > "$D/$h/collected.json"
	check "host $h: the collected records are its file's, byte for byte" diff "$D/$h/audit.log" "$D/$h/collected.json"
	check "host $h: each record names its host" test "$(jq -r .host "$D/$h/collected.json" | sort -u)" = "host-$h.fleet.test"
	check "host $h: denied creates are among them" grep -q '"decision":"deny".*"privileged"\|"decision":"deny"' "$D/$h/collected.json"
	check "host $h: signed checkpoints were collected" grep -q '"checkpoint"' "$D/$h/collected.json"
	check "host $h: syslog marks checkpoints in the structured data" grep -q "^host-$h.fleet.test .*kind=\"checkpoint\"" "$D/collected.log"
	ncp=$(grep -c '"checkpoint"' "$D/$h/collected.json")
	out=$("$BIN" audit verify --key "$D/etc/audit.pub" --anchors "$D/$h/collected.json" "$D/$h/audit.log"); rc=$?
	check "host $h: the chain and checkpoints verify" test "$rc" = 0
	check "host $h: against every collected checkpoint ($ncp anchors matched)" has "$out" "anchors: $ncp matched"
done
check "nothing else arrived (two hosts' lines only)" test "$(grep -cv '^host-[ab].fleet.test ' "$D/collected.log")" = 0
check "the hosts' records are told apart: none of a's in b's" test -z "$(grep -F -x -f "$D/a/audit.log" "$D/b/collected.json")"
summary
