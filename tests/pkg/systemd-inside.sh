#!/bin/bash
# Runs inside the container booted by tests/pkg/systemd.sh, as root, with systemd as PID 1;
# /cisgate-test holds the packages (cisgate_0.deb, and _1, _2 at higher versions) and lib.sh.
# Claim under test (README, Operations "Upgrade"): dpkg -i of a new package restarts
# cisgate.service alone; cisgate.socket stays listening, so no request fails, they wait.
set -u
T=/cisgate-test
. "$T/lib.sh"
S=/run/docker/plugins/cisgate.sock
CLIENTS=4
R=$(mktemp -d /tmp/upgrade.XXXXXX)

prop() { systemctl show -p "$2" --value "$1"; }
cursor() { journalctl -q -n 0 --show-cursor | sed -n 's/^-- cursor: //p'; }
# journal UNIT CURSOR: the unit's lines since CURSOR, as "epoch.usec text".
journal() { journalctl -q --no-pager -o short-unix -u "$1" --after-cursor "$2"; }

# clients: CLIENTS loops of POST /Plugin.Activate, each line "start end http_code
# curl_exit curl_error", until $R/stop exists. A request that finds no process accepting
# waits in the socket's backlog (30 s at most, far above a restart).
clients_start() {
	rm -f "$R/stop" "$R"/req.*
	for c in $(seq "$CLIENTS"); do
		(while [ ! -e "$R/stop" ]; do
			t0=$EPOCHREALTIME
			code=$(curl -sSv --max-time 30 --unix-socket "$S" -X POST \
				http://plugin/Plugin.Activate -o /dev/null -w '%{http_code}' 2> "$R/err.$c")
			rc=$?
			echo "$t0 $EPOCHREALTIME $code $rc $([ $rc = 0 ] || grep -iE 'fail|error|closed|connect' "$R/err.$c" | head -c 300 | tr '\n' ' ')"
		done > "$R/req.$c") &
	done
	# The socket unit's state, sampled as fast as systemctl answers.
	(while [ ! -e "$R/stop" ]; do
		echo "$EPOCHREALTIME $(systemctl show -p ActiveState,SubState --value cisgate.socket | paste -sd/)"
	done > "$R/states") &
	sleep 0.3
}
clients_stop() {
	# A few requests more once the new process answers.
	wait_up "$S"
	sleep 0.3
	touch "$R/stop"
	wait
	cat "$R"/req.* > "$R/reqs"
}

# upgrade LABEL DEB VERSION: dpkg -i DEB under load, then the three claims.
upgrade() {
	local label=$1 deb=$2 version=$3
	local sinv sino sent pid0 inv0 cur rc
	sinv=$(prop cisgate.socket InvocationID)
	sent=$(prop cisgate.socket ActiveEnterTimestampMonotonic)
	sino=$(stat -c %i "$S")
	pid0=$(prop cisgate.service MainPID)
	inv0=$(prop cisgate.service InvocationID)
	cur=$(cursor)
	clients_start
	dpkg -i "$deb" > "$R/dpkg.log" 2>&1
	rc=$?
	clients_stop
	check "$label: dpkg -i upgrades to $version" test $rc = 0 -a "$(dpkg-query -W -f='${Version}' cisgate)" = "$version"
	[ $rc = 0 ] || cat "$R/dpkg.log"
	check "$label: dpkg ran it as an upgrade" grep -q "upgrade cisgate:[a-z0-9]* [^ ]* $version" /var/log/dpkg.log

	# (1) the socket: never seen inactive, and the same activation (an InvocationID is new
	# at every start of a unit), the same listening inode, no line in its journal.
	# (SubState is "running" while the service runs, "listening" while it does not.)
	check "$label: cisgate.socket sampled active throughout ($(wc -l < "$R/states") samples: $(cut -d' ' -f2 "$R/states" | sort | uniq -c | xargs))" \
		test -s "$R/states" -a "$(cut -d' ' -f2 "$R/states" | cut -d/ -f1 | sort -u)" = active
	check "$label: cisgate.socket was not restarted (same InvocationID, same activation time)" \
		test "$(prop cisgate.socket InvocationID)" = "$sinv" -a \
		"$(prop cisgate.socket ActiveEnterTimestampMonotonic)" = "$sent"
	check "$label: the listening socket is the same file" test "$(stat -c %i "$S")" = "$sino"
	check "$label: cisgate.socket's journal is silent during the upgrade" \
		test -z "$(journal cisgate.socket "$cur")"

	# (2) the service: restarted once, a new process.
	local pid1 inv1 jl stop_ts ready_ts
	pid1=$(prop cisgate.service MainPID)
	inv1=$(prop cisgate.service InvocationID)
	check "$label: cisgate.service restarted (MainPID $pid0 -> $pid1)" \
		test "$pid1" != 0 -a "$pid1" != "$pid0" -a "$inv1" != "$inv0"
	jl=$(journal cisgate.service "$cur")
	check "$label: the new process serves the socket inherited from systemd" \
		has "$jl" "cisgate[$pid1]: cisgate: info: serving the socket inherited from systemd"

	# (3) the clients: every request answered 200. Those in flight when the new process
	# began to serve (its "serving" line) had found no process accepting: they waited in
	# the socket's backlog, and were answered too.
	local n bad across waited
	stop_ts=$(printf '%s\n' "$jl" | grep -m1 -E "cisgate\[$pid0\]: .*stopping|Stopping cisgate.service" | cut -d' ' -f1)
	ready_ts=$(printf '%s\n' "$jl" | grep -m1 "cisgate\[$pid1\]: .*serving" | cut -d' ' -f1)
	n=$(wc -l < "$R/reqs")
	bad=$(awk '$3 != 200 || $4 != 0' "$R/reqs" | wc -l)
	across=$(awk -v r="${ready_ts:-0}" '$1 < r && $2 > r' "$R/reqs" | wc -l)
	waited=$(awk -v r="${ready_ts:-0}" \
		'$1 < r && $2 > r { w = $2 - $1; if (w > m) m = w } END { printf "%.3f", m }' "$R/reqs")
	check "$label: no request failed ($n requests from $CLIENTS clients, $bad failed)" \
		test "$n" -gt 0 -a "$bad" = 0
	awk '$3 != 200 || $4 != 0' "$R/reqs" | head -3 | sed 's/^/     /'
	[ -n "$stop_ts" ] && [ -n "$ready_ts" ] && echo "     no process accepting for" \
		"$(awk -v a="$stop_ts" -v b="$ready_ts" 'BEGIN { printf "%.3f", b - a }') s (stopping -> serving)"
	check "$label: requests waited for the new process and were answered ($across, the longest $waited s)" \
		test -n "$ready_ts" -a "$across" -gt 0
	LAST_WAIT=$waited
	keep "$label" "$jl"
}

# keep LABEL JOURNAL: the phase's data for a look afterwards (tests/pkg/systemd.sh keeps
# it in build/systemd/last-run/).
keep() {
	local d=/cisgate-out/${1//[^a-z0-9]/-}
	mkdir -p "$d" && cp "$R/reqs" "$R/states" "$d/" && printf '%s\n' "$2" > "$d/journal"
	[ -f "$R/dpkg.log" ] && cp "$R/dpkg.log" "$d/"
	journalctl -q --no-pager -o short-unix > /cisgate-out/journal
	rm -f "$R/dpkg.log"
}

echo "inside: systemd $(systemctl --version | head -1 | cut -d' ' -f2) as PID 1 ($(cat /proc/1/comm))"
check "dpkg -i installs the package" dpkg -i "$T/cisgate_0.deb"
check "cisgate.socket is enabled and active" sh -c "systemctl is-enabled -q cisgate.socket && systemctl is-active -q cisgate.socket"
check "the plugin answers Plugin.Activate through the socket" wait_up "$S"
check "cisgate.service runs from socket activation" test "$(prop cisgate.service ActiveState)" = active
LAST_WAIT=0

# The package as shipped.
upgrade "upgrade 1" "$T/cisgate_1.deb" "$(dpkg-deb -f "$T/cisgate_1.deb" Version)"

# A new process that takes a second to start (a drop-in sleeps before it): the requests
# that arrive meanwhile must wait that long in the backlog and still be answered.
mkdir -p /run/systemd/system/cisgate.service.d
printf '[Service]\nExecStartPre=/bin/sleep 1\n' > /run/systemd/system/cisgate.service.d/slow.conf
systemctl daemon-reload
upgrade "upgrade 2, slow start" "$T/cisgate_2.deb" "$(dpkg-deb -f "$T/cisgate_2.deb" Version)"
check "upgrade 2, slow start: a request waited through the 1 s start ($LAST_WAIT s) and was answered" \
	awk -v w="$LAST_WAIT" 'BEGIN { exit !(w >= 0.9) }'
rm -r /run/systemd/system/cisgate.service.d

# Control: the checks above catch a socket that restarts with the service (the packaging
# before issue 19: PartOf= the service). Then the same restart restarts the socket.
mkdir -p /run/systemd/system/cisgate.socket.d
printf '[Unit]\nPartOf=cisgate.service\n' > /run/systemd/system/cisgate.socket.d/partof.conf
systemctl daemon-reload
sinv=$(prop cisgate.socket InvocationID)
cur=$(cursor)
clients_start
systemctl restart cisgate.service
clients_stop
check "control: with PartOf=, a service restart restarts the socket (new InvocationID)" \
	test "$(prop cisgate.socket InvocationID)" != "$sinv"
check "control: ... and the socket's journal shows it" \
	sh -c "journalctl -q --no-pager -u cisgate.socket --after-cursor '$cur' | grep -q 'Closed cisgate.socket'"
cbad=$(awk '$3 != 200 || $4 != 0' "$R/reqs" | wc -l)
check "control: ... and the clients see it ($cbad of $(wc -l < "$R/reqs") requests failed)" test "$cbad" -gt 0
rm -r /run/systemd/system/cisgate.socket.d
systemctl daemon-reload

# Removal stops both (debian/rules).
check "dpkg --purge stops the service and the socket" \
	sh -c "dpkg --purge cisgate >/dev/null && ! systemctl is-active -q cisgate.service && ! systemctl is-active -q cisgate.socket"
rm -rf "$R"
echo "inside: done"
