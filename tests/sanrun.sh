#!/bin/sh
# sanrun.sh DIR COMMAND...: runs a test suite against sanitized binaries. Every sanitizer
# report of every process the suite starts is written to a file in DIR (emptied first);
# the suite fails when any file is there, also when the process that reported was a daemon
# stopped with kill, whose exit status no check reads. The reports are printed.
set -u
[ $# -ge 2 ] || { echo "usage: sanrun.sh DIR COMMAND..." >&2; exit 2; }
ROOT=$(cd "$(dirname "$0")/.." && pwd)
dir=$1; shift
rm -rf "$dir" && mkdir -p "$dir" || exit 2
dir=$(cd "$dir" && pwd)
# Ours first, then the caller's (later options win), then where the reports go.
ASAN_OPTIONS="detect_leaks=1:halt_on_error=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}:log_path=$dir/asan"
UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}:log_path=$dir/ubsan"
# exitcode: a report stops the process with a status no test expects (66).
TSAN_OPTIONS="halt_on_error=1:exitcode=66:second_deadlock_stack=1:suppressions=$ROOT/tests/tsan.supp${TSAN_OPTIONS:+:$TSAN_OPTIONS}:log_path=$dir/tsan"
export ASAN_OPTIONS UBSAN_OPTIONS TSAN_OPTIONS
"$@"
rc=$?
n=$(find "$dir" -type f | wc -l)
if [ "$n" -gt 0 ]; then
	for f in "$dir"/*; do
		echo "== $f"
		cat "$f"
	done
	echo "FAIL $n sanitizer report(s) from: $*"
	exit 1
fi
echo "no sanitizer reports"
exit $rc
