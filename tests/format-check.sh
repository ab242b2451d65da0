#!/bin/sh
# format-check.sh [-v]: every tracked *.c/*.h under plugin/ include/ tests/ against
# clang-format's output with the checked-in .clang-format. Lists the files that differ
# (with -v, the diffs) and how many lines would change; exits 1 if any file differs.
set -u
cd "$(dirname "$0")/.." || exit 2
CF=${CLANG_FORMAT:-clang-format}
command -v "$CF" >/dev/null || { echo "format-check: $CF not found (make deps-test)" >&2; exit 2; }
verbose=0
[ "${1:-}" = -v ] && verbose=1
tmp=$(mktemp) || exit 2
trap 'rm -f "$tmp"' EXIT
files=0 bad=0 lines=0
for f in $(git ls-files 'plugin/*.c' 'plugin/*.h' 'include/*.c' 'include/*.h' 'tests/*.c' 'tests/*.h'); do
	files=$((files + 1))
	"$CF" --style=file "$f" | diff -u "$f" - > "$tmp"
	case $? in
	0) continue ;;
	1) ;;
	*) echo "format-check: diff failed on $f" >&2; exit 2 ;;
	esac
	bad=$((bad + 1))
	n=$(grep -c '^-[^-]' "$tmp")
	lines=$((lines + n))
	echo "differs: $f ($n lines)"
	[ $verbose = 1 ] && sed 1,2d "$tmp"
done
if [ $bad -gt 0 ]; then
	echo "format-check: $bad of $files files differ from clang-format ($lines lines); the diffs: tests/format-check.sh -v"
	exit 1
fi
echo "format-check: $files files match .clang-format"
