#!/bin/sh
# The route inventory holds: every route the classifier knows (plugin/uri.c, printed by
# routes_dump) has a row in docs/routes.md with the same method, path, kind and class; every
# row of docs/routes.md is a route the classifier knows; and every route has a case in
# tests/unit/test_uri.c (its `routes[]` table, printed by `test_uri --list-routes`), which
# asserts route, kind, class, target and name. test_uri.c is the one place for route cases:
# tests/cases/routes.cases rows follow the evaluator's decisions, not the classifier's.
#   usage: check_routes.sh BUILD_DIR   (needs BUILD_DIR/routes_dump and BUILD_DIR/test_uri)
set -eu
B=${1:-build}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DOC="$ROOT/docs/routes.md"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

"$B/routes_dump" | sort >"$T/classifier"
"$B/test_uri" --list-routes | sort -u >"$T/tested"
# Inventory rows are the "| `route` |" lines between the routes:begin and routes:end
# markers; the first five cells are machine-read.
awk -F' [|] ' '/<!-- routes:begin/ { on = 1; next } /<!-- routes:end/ { on = 0 }
on && /^[|] `[a-z0-9_]+` [|]/ {
	sub(/^[|] /, "", $1)
	for (i = 1; i <= 5; i++)
		gsub(/`/, "", $i)
	printf "%s\t%s\t%s\t%s\t%s\n", $1, $2, $3, $4, $5
}' "$DOC" | sort >"$T/doc"

fail=0
n=$(wc -l <"$T/classifier")
if [ "$n" -lt 100 ]; then
	echo "check_routes: only $n routes from routes_dump" >&2
	exit 1
fi
dups=$(cut -f1 "$T/doc" | uniq -d)
if [ -n "$dups" ]; then
	echo "docs/routes.md: routes with more than one row: $dups"
	fail=1
fi
# Same name, method, path, kind and class on both sides.
if ! diff -u "$T/classifier" "$T/doc" >"$T/diff"; then
	echo "docs/routes.md and plugin/uri.c disagree (- classifier, + docs/routes.md):"
	grep '^[-+][^-+]' "$T/diff" || true
	fail=1
fi
cut -f1 "$T/classifier" >"$T/names"
missing=$(comm -23 "$T/names" "$T/tested")
if [ -n "$missing" ]; then
	echo "routes without a case in tests/unit/test_uri.c:" $missing
	fail=1
fi
if [ "$fail" = 0 ]; then
	echo "route inventory: $n routes, each documented and tested"
fi
exit $fail
