#!/bin/sh
# The newer-engine field inventory holds: every row between the newfields:begin and
# newfields:end markers of docs/fields.md names at least one case in its last cell, every
# case it names is a case of tests/cases/*.cases, and every such case's request carries an
# API version (/v1.NN/), so a field of the inventory without a case fails the build.
#   usage: check_fields.sh
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DOC="$ROOT/docs/fields.md"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# name <TAB> request of every case row
cat "$ROOT"/tests/cases/*.cases | awk -F'|' '/^[^#]/ && NF >= 7 {
	n = $1; r = $3
	gsub(/^[ \t]+|[ \t]+$/, "", n); gsub(/^[ \t]+|[ \t]+$/, "", r)
	printf "%s\t%s\n", n, r
}' >"$T/cases"
awk '/<!-- newfields:begin/ { on = 1; next } /<!-- newfields:end/ { on = 0 }
on && /^[|] `/ { print }' "$DOC" >"$T/rows"
n=$(wc -l <"$T/rows")
if [ "$n" -lt 10 ]; then
	echo "check_fields: only $n rows between the newfields markers of docs/fields.md" >&2
	exit 1
fi
fail=0
while IFS= read -r row; do
	field=$(printf '%s\n' "$row" | awk -F' [|] ' '{ print $1 }' | sed 's/^| //; s/`//g')
	cases=$(printf '%s\n' "$row" | awk -F'[|]' '{ print $(NF - 1) }' | tr ',' ' ')
	if [ -z "$(printf '%s' "$cases" | tr -d ' -')" ]; then
		echo "docs/fields.md: $field has no case"
		fail=1
		continue
	fi
	for c in $cases; do
		req=$(awk -F'\t' -v c="$c" '$1 == c { print $2; exit }' "$T/cases")
		if [ -z "$req" ]; then
			echo "docs/fields.md: $field names case $c, which no tests/cases/*.cases has"
			fail=1
		elif ! printf '%s' "$req" | grep -q '/v1\.[0-9][0-9]*/'; then
			echo "docs/fields.md: case $c of $field does not say its API version (/v1.NN/)"
			fail=1
		fi
	done
done <"$T/rows"
if [ "$fail" = 0 ]; then
	echo "field inventory: $n newer-engine fields, each with versioned cases"
fi
exit $fail
