#!/bin/bash
# Signed policies (issue 17): a tampered, unsigned or wrongly signed policy is refused at
# start and on SIGHUP (the old one stays, the refusal is audited and said once), a policy
# signed by a second trusted key of --policy-keys is accepted, signatures written by
# `openssl pkeyutl -sign -rawin` verify and cisgate's verify with openssl, the shadow must
# be signed too, keys beside the policy (policy-keys.d/) are used without options, and
# lint and check take --policy-key.
set -u
BIN=$(readlink -f "${1:-build/cisgate}")
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
T=$(mktemp -d /tmp/cisgate-sig.XXXXXX)
SOCK=$T/cg.sock
PID=
cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null && wait_gone "$PID"
	rm -rf "$T"
}
trap cleanup EXIT
[ -n "${KEEP:-}" ] && trap - EXIT

post() { curl -s --max-time 20 --unix-socket "$SOCK" -X POST --data-binary "@$2" "http://plugin/$1"; }
envelope() {
	printf '{"User":"","RequestMethod":"POST","RequestUri":"/v1.41/containers/create","RequestBody":"%s"}' \
		"$(printf '%s' "$1" | base64 -w0)"
}
envelope '{"Image":"busybox","HostConfig":{"Privileged":true}}' > "$T/priv.json"
sha() { sha256sum "$1" | cut -c1-64; }

mkdir "$T/keys" "$T/p"
"$BIN" audit keygen "$T/k1" >/dev/null
"$BIN" audit keygen "$T/k2" >/dev/null
"$BIN" audit keygen "$T/evil" >/dev/null
cp "$T/k1.pub" "$T/k2.pub" "$T/keys/"
chmod 755 "$T/keys"
policy() { # policy FILE ACTION: privileged deny or off
	cat > "$1" <<P
apiVersion: cisgate/v1
default_action: off
audit: {file: $T/audit.log}
rules:
  privileged: $2
P
}
policy "$T/p/policy.yaml" deny

# --- the command line ---------------------------------------------------------------------
check "policy sign writes FILE.sig" "$BIN" policy sign --key "$T/k1.key" "$T/p/policy.yaml"
check "the .sig is 64 raw bytes (pkeyutl's format)" test "$(stat -c %s "$T/p/policy.yaml.sig")" = 64
check "cisgate's signature verifies with openssl pkeyutl" openssl pkeyutl -verify -rawin -pubin \
	-inkey "$T/k1.pub" -in "$T/p/policy.yaml" -sigfile "$T/p/policy.yaml.sig"
check "policy verify: the right key" "$BIN" policy verify --key "$T/k1.pub" "$T/p/policy.yaml"
"$BIN" policy verify --key "$T/evil.pub" "$T/p/policy.yaml" >/dev/null; rc=$?
check "policy verify: another key is refused (exit 1)" test "$rc" = 1
check "policy verify: a directory of keys" "$BIN" policy verify --key "$T/keys" "$T/p/policy.yaml"
cp "$T/p/policy.yaml" "$T/x.yaml"
openssl pkeyutl -sign -rawin -inkey "$T/k2.key" -in "$T/x.yaml" -out "$T/x.yaml.sig" 2>/dev/null
check "an openssl pkeyutl -sign -rawin signature verifies" "$BIN" policy verify --key "$T/k2.pub" "$T/x.yaml"
base64 -w0 "$T/x.yaml.sig" > "$T/x.b64"; mv "$T/x.b64" "$T/x.yaml.sig"
check "its base64 form verifies too" "$BIN" policy verify --key "$T/k2.pub" "$T/x.yaml"
out=$("$BIN" lint --policy-key "$T/k1.pub" "$T/p/policy.yaml")
check "lint --policy-key: signature OK" has "$out" "signature OK"
out=$("$BIN" lint --policy-key "$T/evil.pub" "$T/p/policy.yaml"); rc=$?
check "lint --policy-key: a wrong key fails lint" test "$rc" = 1
check "lint --policy-key: says why" has "$out" "signature refused"
"$BIN" check --policy "$T/p/policy.yaml" --policy-key "$T/k1.pub" "$T/priv.json" >/dev/null; rc=$?
check "check --policy-key: decides under a signed policy (deny: exit 1)" test "$rc" = 1
"$BIN" check --policy "$T/p/policy.yaml" --policy-key "$T/evil.pub" "$T/priv.json" >/dev/null 2>&1; rc=$?
check "check --policy-key: a wrong signer is an error (exit 2)" test "$rc" = 2

# --- refused at start ------------------------------------------------------------------------
start_rc() { # start_rc ARGS...: runs serve until it stops or answers; prints its exit code
	"$BIN" serve --socket "$SOCK" --policy "$T/p/policy.yaml" "$@" 2>>"$T/serve.err" &
	PID=$!
	wait_up "$SOCK" && return 0
	wait "$PID"; echo "$?" > "$T/rc"; PID=; return 1
}
cp "$T/p/policy.yaml.sig" "$T/good.sig"
rm "$T/p/policy.yaml.sig"
: > "$T/serve.err"
if start_rc --policy-keys "$T/keys"; then bad "start: an unsigned policy is refused"; kill "$PID"; wait "$PID"; PID=
else check "start: an unsigned policy is refused (exit 1)" test "$(cat "$T/rc")" = 1; fi
check "start: the refusal says the signature" grep -q 'signature refused' "$T/serve.err"
cp "$T/good.sig" "$T/p/policy.yaml.sig"
echo "# tampered" >> "$T/p/policy.yaml"
if start_rc --policy-keys "$T/keys"; then bad "start: a tampered policy is refused"; kill "$PID"; wait "$PID"; PID=
else check "start: a tampered policy is refused" test "$(cat "$T/rc")" = 1; fi
policy "$T/p/policy.yaml" deny
"$BIN" policy sign --key "$T/evil.key" "$T/p/policy.yaml" >/dev/null
if start_rc --policy-keys "$T/keys"; then bad "start: a policy signed by an untrusted key is refused"; kill "$PID"; wait "$PID"; PID=
else check "start: a policy signed by an untrusted key is refused" test "$(cat "$T/rc")" = 1; fi

# --- refused on SIGHUP, the old policy stays ------------------------------------------------
"$BIN" policy sign --key "$T/k1.key" "$T/p/policy.yaml" >/dev/null
: > "$T/serve.err"
start_rc --policy-keys "$T/keys"
check "start: a policy signed by a trusted key serves" kill -0 "$PID"
check "start: the log names the key" grep -q "signed by key $(cd "$T" && "$BIN" policy verify --key k1.pub p/policy.yaml | sed 's/.*key \([0-9a-f]*\).*/\1/')" "$T/serve.err"
check "signed policy: privileged denied" has "$(post AuthZPlugin.AuthZReq "$T/priv.json")" '"Allow":false'
old=$(sha "$T/p/policy.yaml")
reload_refused() { # reload_refused NAME: SIGHUP, then the deny policy still answers
	kill -HUP "$PID"; sleep 0.5
	check "$1: the old policy stays (still denied)" has "$(post AuthZPlugin.AuthZReq "$T/priv.json")" '"Allow":false'
}
policy "$T/p/policy.yaml" off   # unsigned edit: the old .sig no longer matches
reload_refused "SIGHUP with a tampered policy"
rm "$T/p/policy.yaml.sig"
reload_refused "SIGHUP with an unsigned policy"
kill -HUP "$PID"; sleep 0.5
check "the same refusal is said once" test "$(grep -c 'signature refused' "$T/serve.err")" = 2
"$BIN" policy sign --key "$T/evil.key" "$T/p/policy.yaml" >/dev/null
reload_refused "SIGHUP with a policy signed by an untrusted key"
check "every refusal is audited (policy-refused events)" test "$(grep -c '"event":"policy-refused"' "$T/audit.log")" = 4
check "the audited refusal names the reason" grep -q 'policy-refused.*does not verify' "$T/audit.log"
# A good one from the second trusted key is accepted.
"$BIN" policy sign --key "$T/k2.key" "$T/p/policy.yaml" >/dev/null
kill -HUP "$PID"; sleep 0.5
check "SIGHUP with a policy signed by the second trusted key: applied (allowed)" has "$(post AuthZPlugin.AuthZReq "$T/priv.json")" '{"Allow":true}'
check "the reload is audited with the new policy's hash" grep -q "\"event\":\"reload\".*$(sha "$T/p/policy.yaml")" "$T/audit.log"
check "the old policy's hash was the one before" test "$old" != "$(sha "$T/p/policy.yaml")"
# Key rotation: k1 leaves the directory; a policy it signs is refused from the next reload.
rm "$T/keys/k1.pub"
policy "$T/p/policy.yaml" deny
"$BIN" policy sign --key "$T/k1.key" "$T/p/policy.yaml" >/dev/null
kill -HUP "$PID"; sleep 0.5
check "rotation: a key removed from the directory no longer signs (still allowed)" has "$(post AuthZPlugin.AuthZReq "$T/priv.json")" '{"Allow":true}'
kill -TERM "$PID"; wait "$PID"; PID=
cp "$T/k1.pub" "$T/keys/"

# --- the shadow must be signed too -----------------------------------------------------------
policy "$T/p/shadow.yaml" deny
policy "$T/p/policy.yaml" deny
echo "shadow: shadow.yaml" >> "$T/p/policy.yaml"
"$BIN" policy sign --key "$T/k1.key" "$T/p/policy.yaml" >/dev/null
: > "$T/serve.err"
if start_rc --policy-keys "$T/keys"; then bad "start: an unsigned shadow is refused"; kill "$PID"; wait "$PID"; PID=
else check "start: an unsigned shadow is refused" grep -q 'shadow.yaml.sig' "$T/serve.err"; fi
"$BIN" policy sign --key "$T/k2.key" "$T/p/shadow.yaml" >/dev/null
start_rc --policy-keys "$T/keys"
check "start: a signed policy with a signed shadow serves" kill -0 "$PID"
kill -TERM "$PID"; wait "$PID"; PID=

# --- keys beside the policy: required without options -----------------------------------------
mkdir "$T/p/policy-keys.d"; cp "$T/k2.pub" "$T/p/policy-keys.d/"
rm "$T/p/policy.yaml.sig"
if start_rc; then bad "policy-keys.d beside the policy: unsigned refused"; kill "$PID"; wait "$PID"; PID=
else check "policy-keys.d beside the policy: an unsigned policy is refused" test "$(cat "$T/rc")" = 1; fi
"$BIN" policy sign --key "$T/k2.key" "$T/p/policy.yaml" >/dev/null
start_rc
check "policy-keys.d beside the policy: signed by its key, serves" kill -0 "$PID"
kill -TERM "$PID"; wait "$PID"; PID=
chmod 777 "$T/p/policy-keys.d"
if start_rc; then bad "a world-writable keys directory is refused"; kill "$PID"; wait "$PID"; PID=
else check "a world-writable keys directory is refused" grep -q 'trusted key not owned by root' "$T/serve.err"; fi
summary
