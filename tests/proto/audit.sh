#!/bin/bash
# The audit log before an auditor: fail closed when the log cannot be reopened (denied,
# counted, said once, recovered), signed checkpoints and anchors kept off the host, and
# verify against the ways a log is cut or rewritten: tail and head cuts, a chain rebuilt
# without and with the key, .gz files rotated by the real logrotate, files out of order.
set -u
BIN=$(readlink -f "${1:-build/cisgate}")
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
T=$(mktemp -d /tmp/cisgate-audit.XXXXXX)
SOCK=$T/cg.sock
PID=
SL_PID=
cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null && wait_gone "$PID"
	[ -n "$SL_PID" ] && kill "$SL_PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
[ -n "${KEEP:-}" ] && trap - EXIT

start() { # start POLICY
	"$BIN" serve --socket "$SOCK" --policy "$1" --insecure-policy 2>>"$T/serve.err" &
	PID=$!
	wait_up "$SOCK"
}
stop() { kill -TERM "$PID"; wait "$PID"; RC=$?; PID=; }
post() { curl -s --max-time 20 --unix-socket "$SOCK" -X POST --data-binary "@$2" "http://plugin/$1"; }
envelope() { # envelope BODY-JSON > FILE
	printf '{"User":"","RequestMethod":"POST","RequestUri":"/v1.41/containers/create","RequestBody":"%s"}' \
		"$(printf '%s' "$1" | base64 -w0)"
}
envelope '{"Image":"busybox","HostConfig":{"Privileged":true}}' > "$T/priv.json"
envelope '{"Image":"busybox","HostConfig":{"Memory":1048576}}' > "$T/allow.json"
# A syslog socket that keeps what it receives: the anchors a fleet's log pipeline holds.
perl -MIO::Socket::UNIX -e '
	my $s = IO::Socket::UNIX->new(Type => SOCK_DGRAM(), Local => $ARGV[0]) or die "listen: $!";
	open(my $o, ">>", $ARGV[1]) or die; $o->autoflush(1);
	while (defined $s->recv(my $m, 65536)) { print $o "$m\n" }' "$T/devlog" "$T/anchors" &
SL_PID=$!
i=0; while [ ! -S "$T/devlog" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done

# --- a failed reopen: the old file stays in use, state changes are refused --------------
mkdir "$T/logs"
cat > "$T/p.yaml" <<P
apiVersion: cisgate/v1
default_action: off
audit: {file: $T/logs/audit.log, fsync: always, on_failure: deny, policy_dir: $T/policies}
rules:
  privileged: deny
P
start "$T/p.yaml"
check "reopen: a create is allowed while the log is writable" test "$(post AuthZPlugin.AuthZReq "$T/allow.json")" = '{"Allow":true}'
mv "$T/logs" "$T/logs.old"
kill -USR1 "$PID"; sleep 0.3
r1=$(post AuthZPlugin.AuthZReq "$T/allow.json"); sleep 1.2
r2=$(post AuthZPlugin.AuthZReq "$T/allow.json")
check "reopen into a missing directory: a create is denied" has "$r1" 'audit log cannot be written'
check "reopen into a missing directory: still denied after the retries" has "$r2" 'audit log cannot be written'
check "reopen into a missing directory: reported once" test "$(grep -c 'No such file or directory; records go on' "$T/serve.err")" = 1
check "reopen into a missing directory: the denial is recorded in the old file, as a deny" \
	sh -c "tail -1 '$T/logs.old/audit.log' | jq -en 'input | .decision==\"deny\" and .endpoint==\"container_create\"'"
mkdir "$T/logs"; sleep 1.5
check "reopen: recovered once the directory is back" test "$(post AuthZPlugin.AuthZReq "$T/allow.json")" = '{"Allow":true}'
check "reopen: the recovery is said" grep -q 'reopened; state changes are recorded again' "$T/serve.err"
check "reopen: the new file starts the file (file_start)" sh -c "head -1 '$T/logs/audit.log' | jq -en 'input | .file_start==true'"
stop
check "reopen: the refused creates are counted" grep -q 'stopped after 4 requests (2 denied, 2 audit failures' "$T/serve.err"
check "reopen: the chain verifies across the old and the new file" "$BIN" audit verify "$T/logs.old/audit.log" "$T/logs/audit.log"
check "every record names its host" sh -c "jq -e -s 'length > 0 and all(.host == \"$(hostname)\")' '$T/logs/audit.log' '$T/logs.old/audit.log'"

# --- kept policies ----------------------------------------------------------------------
sha=$(sha256sum "$T/p.yaml" | cut -c1-64)
check "the loaded policy is kept by its sha256, read-only" test "$(stat -c %a "$T/policies/$sha.yaml")" = 440
check "the policy directory is 0750" test "$(stat -c %a "$T/policies")" = 750
check "show-policy prints the policy a record names" sh -c "'$BIN' audit show-policy --dir '$T/policies' $sha | cmp -s - '$T/p.yaml'"
chmod 640 "$T/policies/$sha.yaml"; echo '# edited' >> "$T/policies/$sha.yaml"
"$BIN" audit show-policy --dir "$T/policies" "$sha" > /dev/null 2> "$T/show.err"
check "show-policy refuses a kept policy that was changed" sh -c "test $? = 1 && grep -q 'changed since it was kept' '$T/show.err'"

# --- signed checkpoints and anchors -------------------------------------------------------
"$BIN" audit keygen "$T/k" > "$T/keygen.out"
check "keygen: the private key is 0600" test "$(stat -c %a "$T/k.key")" = 600
check "keygen: never over an existing key" sh -c "! '$BIN' audit keygen '$T/k' 2>/dev/null"
cat > "$T/s.yaml" <<P
apiVersion: cisgate/v1
default_action: off
audit: {file: $T/s/audit.log, fsync: always, signing_key: $T/k.key, checkpoint_every: 5,
        host_id: auditor-test-1, syslog_socket: $T/devlog, policy_dir: ""}
rules:
  privileged: deny
P
mkdir "$T/s"
chmod 0640 "$T/k.key"
: > "$T/serve.err"
"$BIN" serve --socket "$SOCK" --policy "$T/s.yaml" --insecure-policy 2>"$T/serve.err"
check "a group-readable signing key is refused" sh -c "test $? = 1 && grep -q 'readable by no one else' '$T/serve.err'"
chmod 0600 "$T/k.key"
start "$T/s.yaml"
for i in $(seq 6); do post AuthZPlugin.AuthZReq "$T/priv.json" > /dev/null; done
# A SIGUSR1 with nothing rotated: the writer carries on in the same file.
kill -USR1 "$PID"; sleep 0.3
for i in $(seq 6); do post AuthZPlugin.AuthZReq "$T/priv.json" > /dev/null; done
stop
L=$T/s/audit.log
check "signed: checkpoints every 5 records and at stop" test "$(grep -c '"event":"checkpoint"' "$L")" = 3
check "signed: the last record is the stop's checkpoint" sh -c "tail -1 '$L' | jq -en 'input | .event==\"checkpoint\" and .host==\"auditor-test-1\"'"
check "signed: each checkpoint reached the syslog socket" test "$(grep -c '"event":"checkpoint"' "$T/anchors")" = 3
check "signed: verify --key --anchors passes" "$BIN" audit verify --key "$T/k.pub" --anchors "$T/anchors" "$L"
out=$("$BIN" audit verify --json --key "$T/k.pub" "$L")
n=$(wc -l < "$L")
check "verify --json: first and last seq, head, checkpoints" sh -c "printf '%s' '$out' | jq -en 'input | .ok and .first_seq==1 and .last_seq==$n and .head==\"$(tail -1 "$L" | tr -d '\n' | sha256sum | cut -c1-64)\" and .checkpoints==3 and .unsigned_tail==0'"

cp "$L" "$T/cut.log"; head -n -3 "$L" > "$T/cut.log"
out=$("$BIN" audit verify --key "$T/k.pub" --anchors "$T/anchors" "$T/cut.log"); rc=$?
check "tail cut: fails against the anchors" test $rc = 1
check "tail cut: says what was removed" has "$out" "log ends at seq $((n - 3)): records after it were removed"
sed 1,3d "$L" > "$T/head.log"
out=$("$BIN" audit verify "$T/head.log"); rc=$?
check "head cut: fails without the key" test $rc = 1
check "head cut: named at the first line" has "$out" "head.log:1: head cut: the first record (seq 4)"

deny=$(grep -n '"decision":"deny"' "$L" | sed -n 2p | cut -d: -f1)
cp "$L" "$T/forged.log"; perl "$HERE/forge.pl" "$T/forged.log" "$deny"
check "forgery without the key: the rebuilt chain alone verifies" "$BIN" audit verify "$T/forged.log"
out=$("$BIN" audit verify --key "$T/k.pub" "$T/forged.log"); rc=$?
check "forgery without the key: fails with --key" test $rc = 1
check "forgery without the key: the first checkpoint after the edit is named" has "$out" "the signature does not verify"
cp "$L" "$T/stripped.log"
FORGE_STRIP=1 perl "$HERE/forge.pl" "$T/stripped.log" "$(grep -v '"event":"checkpoint"' "$L" | grep -n '"decision":"deny"' | sed -n 2p | cut -d: -f1)"
check "forgery without the key, checkpoints removed: the chain alone verifies" "$BIN" audit verify "$T/stripped.log"
out=$("$BIN" audit verify --key "$T/k.pub" "$T/stripped.log"); rc=$?
check "forgery without the key, checkpoints removed: fails with --key" sh -c "test $rc = 1 && printf '%s' '$out' | grep -q 'no checkpoint'"
cp "$L" "$T/forged2.log"; perl "$HERE/forge.pl" "$T/forged2.log" "$deny" "$T/k.key"
check "forgery with the key: --key alone cannot tell" "$BIN" audit verify --key "$T/k.pub" "$T/forged2.log"
out=$("$BIN" audit verify --key "$T/k.pub" --anchors "$T/anchors" "$T/forged2.log"); rc=$?
check "forgery with the key: the anchors catch it" test $rc = 1
check "forgery with the key: the anchor mismatch is named" has "$out" "is not the one its anchor holds"

# --- rotation by the real logrotate, compressed; files in any order -----------------------
if command -v logrotate >/dev/null 2>&1; then
	cat > "$T/lr.conf" <<P
$L {
	rotate 5
	compress
	create 0640 root root
	postrotate
		[ ! -s $T/cg.pid ] || kill -USR1 \$(cat $T/cg.pid)
	endscript
}
P
	start "$T/s.yaml"; echo "$PID" > "$T/cg.pid"
	for r in 1 2; do
		for i in 1 2 3; do post AuthZPlugin.AuthZReq "$T/priv.json" > /dev/null; done
		logrotate -f -s "$T/lr.state" "$T/lr.conf"; sleep 0.3
	done
	post AuthZPlugin.AuthZReq "$T/priv.json" > /dev/null
	stop
	check "logrotate: compressed rotations" test -s "$L.1.gz" -a -s "$L.2.gz"
	check "logrotate: .gz files and the live one verify in order" "$BIN" audit verify --key "$T/k.pub" --anchors "$T/anchors" "$L.2.gz" "$L.1.gz" "$L"
	out=$("$BIN" audit verify --key "$T/k.pub" "$L" "$L.2.gz" "$L.1.gz"); rc=$?
	check "files out of order: verified in the order of their records" test $rc = 0
	check "files out of order: said" has "$out" "files given out of order"
	check "a rotated file ends with a checkpoint" sh -c "zcat '$L.1.gz' | tail -1 | grep -q '\"event\":\"checkpoint\"'"
	zcat "$L.2.gz" | sed '3s/"decision":"deny"/"decision":"allow"/' | gzip > "$T/edited.gz"
	out=$("$BIN" audit verify "$T/edited.gz" "$L.1.gz" "$L")
	check "an edit inside a .gz file is named at its line" has "$out" "edited.gz:3: record seq"
	# Rotated while cisgate is stopped, compressed at once: the next start links to the
	# last record of audit.log.1.gz.
	: > "$T/cg.pid"; logrotate -f -s "$T/lr.state" "$T/lr.conf" 2>/dev/null
	start "$T/s.yaml"; post AuthZPlugin.AuthZReq "$T/priv.json" > /dev/null; stop
	check "a start after a compressed rotation continues the chain from .1.gz" \
		"$BIN" audit verify --key "$T/k.pub" --anchors "$T/anchors" "$L.3.gz" "$L.2.gz" "$L.1.gz" "$L"
else
	bad "logrotate is not installed (make deps-test)"
fi

# --- the torn last record: cut, and the cut recorded ----------------------------------------
printf '{"seq":999,"prev":"' >> "$L"
start "$T/s.yaml"; stop
check "a torn record cut at open is recorded" grep -q '"event":"torn-record-cut"' "$L"
check "the chain verifies after the cut" "$BIN" audit verify --key "$T/k.pub" "$L.3.gz" "$L.2.gz" "$L.1.gz" "$L"

# --- a slow disk: the guard that keeps reads off a worker waiting for it --------------------
# Every flush takes 400 ms longer (slowsync.so). One worker, so a flush on it would hold
# every other connection: after the first slow flush, a create alone in flight is handed to
# the flusher, and a read sent while it waits is answered at once.
SLOW=$(dirname "$BIN")/slowsync.so
if [ -f "$SLOW" ]; then
	mkdir -p "$T/slow"
	cat > "$T/slow.yaml" <<P
apiVersion: cisgate/v1
default_action: off
audit: {file: $T/slow/audit.log, fsync: always, policy_dir: ""}
rules:
  privileged: deny
P
	printf '{"User":"","RequestMethod":"GET","RequestUri":"/v1.41/containers/json"}' > "$T/read.json"
	# A sanitized cisgate wants its runtime first among the libraries; the shim is plain C.
	CG_TEST_SYNC_MS=400 LD_PRELOAD=$SLOW ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
		"$BIN" serve --socket "$SOCK" --policy "$T/slow.yaml" --insecure-policy --workers 1 2>>"$T/serve.err" &
	PID=$!
	wait_up "$SOCK"
	ms() { echo $(( $(date +%s%N) / 1000000 )); }
	t0=$(ms); post AuthZPlugin.AuthZReq "$T/allow.json" > /dev/null; t1=$(ms)
	check "slow disk: the shim slows a flush (a create took $((t1 - t0)) ms)" test $((t1 - t0)) -ge 400
	t0=$(ms)
	( post AuthZPlugin.AuthZReq "$T/allow.json" > "$T/slow.create"; ms > "$T/slow.create.end" ) &
	cpid=$!
	sleep 0.1
	r=$(post AuthZPlugin.AuthZReq "$T/read.json"); t2=$(ms)
	wait $cpid
	t3=$(cat "$T/slow.create.end")
	check "slow disk: the read is allowed" test "$r" = '{"Allow":true}'
	check "slow disk: the create waits for its flush ($((t3 - t0)) ms) and is allowed" \
		sh -c "test $((t3 - t0)) -ge 400 && test \"\$(cat '$T/slow.create')\" = '{\"Allow\":true}'"
	check "slow disk: the read is answered while the create waits ($((t2 - t0)) ms after it, within 300)" \
		test $((t2 - t0)) -lt 300 -a "$t2" -lt "$t3"
	stop
	check "slow disk: the log verifies" "$BIN" audit verify "$T/slow/audit.log"
else
	bad "slow disk: $SLOW is not built (make test-proto builds it)"
fi

summary
