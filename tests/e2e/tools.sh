#!/bin/bash
# End-to-end for the policy owners' tools, on a private dockerd behind cisgate:
#  - docker-compose up of a project, then `cisgate check` on `docker-compose config` must
#    give every service the decision and rules cisgate gave compose's real create;
#  - `docker inspect` of what runs, through `check --format json`;
#  - `cisgate report` on the audit log this run wrote (rotated and gzipped included), in
#    headless chromium: the page loads, every chart has bars, the numbers match jq.
# usage: tools.sh CISGATE [KEEP-DIR]: with KEEP-DIR the run's audit log, docker inspect
# output and compose config are copied there (tests/fixtures/e2e/ holds one such run).
# Everything started here is stopped by its PID and every directory removed.
set -u
BIN=$(readlink -f "${1:-build/cisgate}")
KEEP=${2:-}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
. "$ROOT/tests/proto/lib.sh"

if [ "$(id -u)" != 0 ]; then echo "e2e needs root (dockerd)"; exit 1; fi
command -v docker-compose >/dev/null || { echo "FAIL docker-compose is not installed"; exit 1; }
D=$(mktemp -d /tmp/cgtools.XXXXXX)
NAME=cgtools$$
SOCK=/run/docker/plugins/$NAME.sock
export DOCKER_HOST=unix://$D/docker.sock
CG_PID=
DK_PID=
mkdir -p /run/docker/plugins "$D/log"

start_cisgate() {
	"$BIN" serve --socket "$SOCK" --policy "$D/policy.yaml" 2>>"$D/cisgate.err" &
	CG_PID=$!
	wait_up "$SOCK"
}
stop_cisgate() { [ -n "$CG_PID" ] && kill "$CG_PID" 2>/dev/null && wait_gone "$CG_PID"; CG_PID=; }
start_dockerd() {
	sed "s/\"cisgate\"/\"$NAME\"/" "$ROOT/packaging/daemon.json" > "$D/daemon.json"
	dockerd --config-file "$D/daemon.json" --data-root "$D/root" --exec-root "$D/exec" -H "$DOCKER_HOST" \
		--pidfile "$D/docker.pid" --storage-driver vfs --iptables=false --ip6tables=false --bridge=none \
		>>"$D/dockerd.log" 2>&1 &
	i=0; while [ $i -lt 300 ]; do docker version >/dev/null 2>&1 && break; sleep 0.1; i=$((i + 1)); done
	DK_PID=$(cat "$D/docker.pid" 2>/dev/null)
	[ -n "$DK_PID" ] && docker version >/dev/null 2>&1
}
stop_dockerd() {
	[ -n "$DK_PID" ] || return 0
	kill "$DK_PID" 2>/dev/null; wait_gone "$DK_PID" || { kill -9 "$DK_PID"; wait_gone "$DK_PID"; }
	DK_PID=
}
cleanup() {
	if [ -n "$DK_PID" ]; then
		docker rm -f $(docker ps -aq) >/dev/null 2>&1
		docker network prune -f >/dev/null 2>&1
	fi
	stop_dockerd
	stop_cisgate
	grep -o " $D[^ ]*" /proc/mounts | sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
	rm -rf "$D"
	rm -f "$SOCK"
}
trap cleanup EXIT

# The shipped default policy, its log here, and one exemption that expires in ten days
# (the report lists it as used and as expiring soon).
SOON=$(date -u -d '+10 days' +%F)
sed -e "s#/var/log/cisgate/audit.log#$D/log/audit.log#" -e '/^exemptions: \[\]$/d' \
    -e "s#^  socket: /run/docker.sock#  socket: $D/docker.sock#" \
    "$ROOT/policy/default.yaml" > "$D/policy.yaml"
cat >> "$D/policy.yaml" <<EOF
exemptions:
  - name: legacy-writable-root
    reason: the legacy service writes to /var/cache until its image is rebuilt
    rules: [readonly-rootfs]
    match: {name: "proj_legacy_*"}
    expires: $SOON
EOF
chmod 644 "$D/policy.yaml"
check "the test policy lints" "$BIN" lint "$D/policy.yaml"

start_cisgate || { echo "FAIL cisgate did not start"; cat "$D/cisgate.err"; exit 1; }
start_dockerd || { echo "FAIL dockerd did not start"; tail -20 "$D/dockerd.log"; exit 1; }
ok "dockerd $(docker version -f '{{.Server.Version}}') runs behind cisgate"

mkdir -p "$D/img/bin" "$D/img/etc"
cp /bin/busybox "$D/img/bin/"
for c in sh true id sleep cat; do ln -sf busybox "$D/img/bin/$c"; done
echo 'root:x:0:0:root:/:/bin/sh' > "$D/img/etc/passwd"
tar -C "$D/img" -cf "$D/img.tar" .
check "image imported offline" docker import "$D/img.tar" cgtools:busybox

# --- compose: check on the file agrees with what cisgate decided for compose's creates ---
mkdir -p "$D/proj/data"
cat > "$D/proj/docker-compose.yml" <<'EOF'
version: "2.4"
services:
  web:            # everything the default policy asks for: allowed, no warnings
    image: cgtools:busybox
    command: sleep 300
    mem_limit: 64m
    cpus: 0.5
    pids_limit: 64
    user: "1000"
    read_only: true
    network_mode: none
    security_opt: ["no-new-privileges:true"]
    ulimits: {nofile: {soft: 1024, hard: 2048}}
    healthcheck: {test: ["CMD", "true"], interval: 30s}
    restart: on-failure:3
  legacy:         # allowed with warnings; its writable root waived by an exemption
    image: cgtools:busybox
    command: sleep 300
    mem_limit: 32m
    cpu_shares: 256
    pids_limit: 32
    user: "1000"
    ports: ["8080:80"]
  admin:          # denied: privileged, SYS_ADMIN, no limits, the host's PID namespace
    image: cgtools:busybox
    command: sleep 300
    privileged: true
    cap_add: [SYS_ADMIN]
    pid: host
    network_mode: host
  tools:          # denied: /etc from the host, a device, no PIDs limit
    image: cgtools:busybox
    command: sleep 300
    mem_limit: 64m
    cpus: 1
    user: "1000"
    volumes: ["/etc:/host-etc:ro", "./data:/data"]
    devices: ["/dev/null:/dev/x"]
EOF
# Written beside the project's file: check names the project after the file's directory,
# as docker-compose does.
(cd "$D/proj" && docker-compose config > "$D/proj/compose-config.yml" 2>"$D/compose.err")
check "docker-compose config normalises the file" test -s "$D/proj/compose-config.yml"
for s in web legacy admin tools; do
	(cd "$D/proj" && timeout 120 docker-compose up -d --no-deps "$s" >>"$D/compose.out" 2>&1)
done
check "compose's compliant service runs" sh -c "docker ps --format '{{.Names}}' | grep -qx proj_web_1"
check "compose's denied service was refused by cisgate" sh -c "grep -q 'authorization denied by plugin $NAME' '$D/compose.out'"
"$BIN" check --policy "$D/policy.yaml" --format json "$D/proj/compose-config.yml" > "$D/check-compose.json"
rc=$?
check "check on the compose file: exit 1 (something denied)" test $rc = 1
# What cisgate decided for each create compose sent: name -> decision and sorted rules.
jq -s -c '[.[] | select(.endpoint == "container_create" and .container != null)
    | {name: .container, decision: (if .would_deny then "deny" else .decision end),
       rules: ([.violations[] | select(.waived_by == null and .action != "off") | .rule] | sort)}]
    | sort_by(.name)' "$D/log/audit.log" > "$D/served.json"
jq -c '[.items[] | {name, decision, rules: ([.violations[].rule] | sort)}] | sort_by(.name)' \
    "$D/check-compose.json" > "$D/checked.json"
for s in web legacy admin tools; do
	a=$(jq -c --arg n "proj_${s}_1" '.[] | select(.name == $n)' "$D/served.json")
	b=$(jq -c --arg n "proj_${s}_1" '.[] | select(.name == $n)' "$D/checked.json")
	if [ -n "$a" ] && [ "$a" = "$b" ]; then
		ok "compose service $s: check agrees with the server ($(jq -r .decision <<<"$a"))"
	elif [ -z "$a" ] && [ "$(jq -r .decision <<<"$b")" = allow ]; then
		# An allow without warnings is not recorded (audit.allows: state-changing records
		# it; an older log may not): the container running is the server's answer.
		check "compose service $s: check allows it and it runs" sh -c \
		    "docker ps --format '{{.Names}}' | grep -qx proj_${s}_1"
	else
		bad "compose service $s: check and server differ" "server: $a check: $b"
	fi
done
check "check says which exemption waived the legacy service's writable root" sh -c \
    "jq -e '.items[] | select(.name == \"proj_legacy_1\") | .waivers[] | select(.rule == \"readonly-rootfs\" and .exemption == \"legacy-writable-root\")' '$D/check-compose.json'"

# --- docker inspect of what runs, through check --format json and table ---------------
docker run -d --name plain-run --memory 64m --cpus 1 --pids-limit 64 -u 1000 cgtools:busybox sleep 300 >/dev/null
docker inspect $(docker ps -q) > "$D/inspect.json"
n=$(jq length "$D/inspect.json")
"$BIN" check --policy "$D/policy.yaml" --format json "$D/inspect.json" > "$D/check-inspect.json"
rc=$?
check "check --format json on docker inspect: one item per container ($n)" test "$(jq '.items | length' "$D/check-inspect.json")" = "$n"
check "and a summary that adds up" sh -c "jq -e '.summary | .checked == (.allowed + .denied + .warned)' '$D/check-inspect.json'"
check "check on running containers: exit 0 when none is denied, 1 otherwise" \
    test "$rc" = "$(jq 'if .summary.denied > 0 then 1 else 0 end' "$D/check-inspect.json")"
"$BIN" check --policy "$D/policy.yaml" --format table "$D/inspect.json" > "$D/check-inspect.txt"
check "check --format table: a header and one row per container" test "$(grep -c -E '^(/?proj_|/?plain-run)' "$D/check-inspect.txt")" = "$n"

# --- more for the report: denials, an audit-mode spell, a reload, a rotation -----------
LIM="--memory 64m --cpus 1 --pids-limit 64"
docker run --rm $LIM --privileged cgtools:busybox true >/dev/null 2>&1
docker run --rm $LIM --net host --name hostnet cgtools:busybox true >/dev/null 2>&1
docker run --rm --name nolimits cgtools:busybox true >/dev/null 2>&1
docker exec -u root plain-run id >/dev/null 2>&1
sed -i 's/^mode: enforce$/mode: audit/' "$D/policy.yaml"
kill -HUP "$CG_PID"; sleep 1
docker run -d --name audited --privileged cgtools:busybox sleep 300 >/dev/null 2>&1
check "audit mode lets a privileged container through (would deny)" sh -c "docker ps -a --format '{{.Names}}' | grep -qx audited"
sed -i 's/^mode: audit$/mode: enforce/' "$D/policy.yaml"
kill -HUP "$CG_PID"; sleep 1
mv "$D/log/audit.log" "$D/log/audit.log.1"
kill -USR1 "$CG_PID"; sleep 1
docker run --rm $LIM --pid host cgtools:busybox true >/dev/null 2>&1
docker run --rm $LIM -v /var/run/docker.sock:/s cgtools:busybox true >/dev/null 2>&1
check "the rotated log verifies with the new one" "$BIN" audit verify "$D/log/audit.log.1" "$D/log/audit.log"
cat "$D/log/audit.log.1" "$D/log/audit.log" > "$D/all.log"
gzip "$D/log/audit.log.1"

# --- the report: JSON numbers against jq, HTML in headless chromium ----------------
"$BIN" report --format json --policy "$D/policy.yaml" "$D/log/audit.log.1.gz" "$D/log/audit.log" > "$D/report.json"
check "report --format json reads the .gz and the live log" test -s "$D/report.json"
for k in denied:'select(.decision == "deny")' would_deny:'select(.would_deny == true)' \
         warned:'select(.decision == "warn" and .would_deny != true)'; do
	key=${k%%:*}; sel=${k#*:}
	want=$(jq -c "$sel" "$D/all.log" | wc -l)
	check "report $key = jq's count ($want)" test "$(jq ".$key" "$D/report.json")" = "$want"
done
want=$(jq -c 'select(.event == "reload")' "$D/all.log" | wc -l)
check "report lists the $want reloads with their policy hashes" test "$(jq '[.reloads[] | select(.event == "reload" and (.policy_sha256 | length) == 64)] | length' "$D/report.json")" = "$want"
want=$(jq -r 'select(.decision == "deny") | .violations[] | select(.rule == "privileged" and .action == "deny" and .waived_by == null) | .rule' "$D/all.log" | wc -l)
check "report: privileged denials per rule = jq's count ($want)" test "$(jq '.per_rule[] | select(.name == "privileged") | .deny' "$D/report.json")" = "$want"

"$BIN" report --policy "$D/policy.yaml" "$D/log/audit.log.1.gz" "$D/log/audit.log" > "$D/report.html"
check "the HTML report fetches nothing (no src=, no href=, no script)" sh -c "! grep -Eiq '<script|src=|href=|url\\(' '$D/report.html'"
if command -v chromium >/dev/null; then
	CH="chromium --headless --no-sandbox --disable-gpu --disable-background-networking --user-data-dir=$D/chrome --disable-javascript"
	timeout 120 $CH --dump-dom "file://$D/report.html" > "$D/dom.html" 2>/dev/null
	check "chromium loads the page (JavaScript off)" grep -q 'cisgate audit report' "$D/dom.html"
	for c in per-day per-rule warn-rule images users containers; do
		bars=$(python3 -c "import re,sys; d=open(sys.argv[1]).read(); m=re.search(r'<svg[^>]*data-chart=\"$c\".*?</svg>', d, re.S); print(len(re.findall(r'<rect class=\"bar\"', m.group(0))) if m else 0)" "$D/dom.html")
		check "chart $c has data ($bars bars)" test "$bars" -gt 0
	done
	want=$(jq -c 'select(.decision == "deny")' "$D/all.log" | wc -l)
	check "the page's denied tile says $want, as jq counts" grep -q "id=\"n-deny\"><b>$want</b>" "$D/dom.html"
	want=$(jq -c 'select(.would_deny == true)' "$D/all.log" | wc -l)
	check "the page's would-deny tile says $want" grep -q "id=\"n-would\"><b>$want</b>" "$D/dom.html"
	check "the expiring exemption is listed" grep -q 'legacy-writable-root' "$D/dom.html"
	timeout 120 $CH --window-size=840,1400 --screenshot="$D/report.png" "file://$D/report.html" >/dev/null 2>&1
	check "chromium takes a screenshot" sh -c "test -s '$D/report.png' && file '$D/report.png' | grep -q PNG"
else
	bad "chromium is not installed (apt-get install chromium)"
fi

if [ -n "$KEEP" ]; then
	mkdir -p "$KEEP"
	cp "$D/all.log" "$KEEP/audit.log"
	cp "$D/inspect.json" "$KEEP/inspect.json"
	cp "$D/proj/compose-config.yml" "$KEEP/compose-config.yml"
	cp "$D/policy.yaml" "$KEEP/policy.yaml"
	echo "kept the run's audit log, docker inspect output and compose config in $KEEP"
fi
summary
