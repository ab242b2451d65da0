# Shared helpers for the shell suites: counting checks, starting and stopping by PID.
PASS=0
FAIL=0
ok() { PASS=$((PASS + 1)); echo "ok   $1"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && printf '     %s\n' "$2"; return 0; }
# check NAME COMMAND...: passes when the command succeeds.
check() { local name=$1; shift; if "$@" >/dev/null 2>&1; then ok "$name"; else bad "$name" "$*"; fi; }
has() { printf '%s' "$1" | grep -qF -- "$2"; }
# wait_up SOCKET: until the plugin answers Plugin.Activate (a socket file alone may be stale).
wait_up() { i=0; while [ $i -lt 400 ]; do
	curl -s --max-time 2 --unix-socket "$1" -X POST http://plugin/Plugin.Activate 2>/dev/null | grep -q authz && return 0
	sleep 0.05; i=$((i + 1)); done; return 1; }
wait_sock() { i=0; while [ ! -S "$1" ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done; [ -S "$1" ]; }
wait_gone() { i=0; while kill -0 "$1" 2>/dev/null && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done; ! kill -0 "$1" 2>/dev/null; }
summary() { echo "$PASS passed, $FAIL failed"; [ "$FAIL" -eq 0 ]; }
