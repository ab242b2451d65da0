#!/bin/bash
# The fleet recipe (packaging/ansible, issue 17) with Debian's ansible-core: the playbook
# passes --syntax-check; a run against a throwaway root places the signed policy, its
# signature and trusted keys (root-owned, 0644) and merges cisgate into daemon.json's
# authorization-plugins keeping what was there; `cisgate lint` then finds the signature
# required by policy-keys.d/ and good; a second run changes nothing; a --check run with a
# new policy reports the change and changes nothing. The package install and the units
# (apt, systemd) are left out here: no systemd runs in this container (see the README).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BIN=$(readlink -f "${1:-$ROOT/build/cisgate}")
. "$ROOT/tests/proto/lib.sh"
command -v ansible-playbook >/dev/null || { echo "FAIL ansible-playbook is missing (apt-get install ansible-core)"; exit 1; }
T=$(mktemp -d /tmp/cisgate-ansible.XXXXXX)
trap 'rm -rf "$T"' EXIT
export ANSIBLE_LOCAL_TEMP=$T/tmp ANSIBLE_REMOTE_TEMP=$T/tmp ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0
PB=$ROOT/packaging/ansible/site.yml

printf '[docker_hosts]\nlocalhost ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n' > "$T/inventory"
"$BIN" audit keygen "$T/signer" >/dev/null
"$BIN" audit keygen "$T/next" >/dev/null
cp "$ROOT/policy/default.yaml" "$T/policy.yaml"
"$BIN" policy sign --key "$T/signer.key" "$T/policy.yaml" >/dev/null
mkdir -p "$T/root/etc/docker"
echo '{"log-driver": "journald", "authorization-plugins": ["other-plugin"]}' > "$T/root/etc/docker/daemon.json"
cat > "$T/vars.json" <<V
{"cisgate_root": "$T/root", "cisgate_install_package": false, "cisgate_manage_services": false,
 "cisgate_policy": "$T/policy.yaml", "cisgate_policy_keys": ["$T/signer.pub", "$T/next.pub"],
 "ansible_become": false}
V
play() { ansible-playbook -i "$T/inventory" -e "@$T/vars.json" "$@" "$PB"; }

check "ansible-playbook --syntax-check" ansible-playbook -i "$T/inventory" --syntax-check "$PB"
play > "$T/run1.log" 2>&1; rc=$?
check "a run against a throwaway root succeeds" test "$rc" = 0
[ "$rc" = 0 ] || tail -30 "$T/run1.log"
E=$T/root/etc/cisgate
check "the policy is placed as signed (same bytes)" cmp "$T/policy.yaml" "$E/policy.yaml"
check "its signature beside it" cmp "$T/policy.yaml.sig" "$E/policy.yaml.sig"
check "both trusted keys in policy-keys.d/" test -f "$E/policy-keys.d/signer.pub" -a -f "$E/policy-keys.d/next.pub"
check "root-owned, 0644" test "$(stat -c '%U %a' "$E/policy.yaml" "$E/policy.yaml.sig" "$E/policy-keys.d/signer.pub" | sort -u)" = "root 644"
check "daemon.json: cisgate added to authorization-plugins" test "$(jq -c '."authorization-plugins"' "$T/root/etc/docker/daemon.json")" = '["other-plugin","cisgate"]'
check "daemon.json: other settings kept" test "$(jq -r '."log-driver"' "$T/root/etc/docker/daemon.json")" = journald
out=$("$BIN" lint "$E/policy.yaml")
check "cisgate lint: the placed policy's signature is required and good" has "$out" "signature OK"
play > "$T/run2.log" 2>&1
check "a second run changes nothing" grep -q 'changed=0 .*failed=0' "$T/run2.log"
# A new policy signed by the next key: --check says it would change, and changes nothing.
echo "# v2" >> "$T/policy.yaml"
"$BIN" policy sign --key "$T/next.key" "$T/policy.yaml" >/dev/null
play --check --diff > "$T/check.log" 2>&1; rc=$?
check "--check with a new policy succeeds" test "$rc" = 0
check "--check reports the policy and signature changing" grep -q 'changed=2 ' "$T/check.log"
check "--check changed nothing" test "$(tail -1 "$E/policy.yaml")" != "# v2"
# Rotation: the retired key leaves policy-keys.d/.
python3 -c 'import json,sys; v=json.load(open(sys.argv[1])); v["cisgate_policy_keys"]=[sys.argv[2]]; v["cisgate_policy_keys_retired"]=["signer.pub"]; json.dump(v,open(sys.argv[1],"w"))' "$T/vars.json" "$T/next.pub"
play > "$T/run3.log" 2>&1
check "rotation: the retired key is removed" test ! -e "$E/policy-keys.d/signer.pub"
check "rotation: the new policy (signed by the next key) verifies there" has "$("$BIN" lint "$E/policy.yaml")" "signature OK"
summary
