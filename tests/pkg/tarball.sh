#!/bin/bash
# make deb from a tree that is not a git checkout, as a release tarball unpacks: the
# package must build from the files alone (it once copied nothing and died later with
# "No rule to make target 'install'").
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/proto/lib.sh"
T=$(mktemp -d /tmp/cisgate-tarball.XXXXXX)
trap 'rm -rf "$T"' EXIT
# The release tarball: the tracked files, no .git (git archive of the index and worktree).
(cd "$ROOT" && git ls-files -z | tar --null -T - -czf "$T/cisgate.tar.gz" --transform 's#^#cisgate-src/#')
check "a source tarball is made" test -s "$T/cisgate.tar.gz"
tar -C "$T" -xzf "$T/cisgate.tar.gz"
check "it is not a git checkout" sh -c "cd '$T/cisgate-src' && ! git rev-parse --git-dir >/dev/null 2>&1"
(cd "$T/cisgate-src" && make deb) > "$T/deb.log" 2>&1
check "make deb builds the package there" sh -c "ls '$T'/cisgate-src/dist/cisgate_*.deb"
check "the package holds the binary and the policies" sh -c "dpkg-deb -c '$T'/cisgate-src/dist/cisgate_*.deb | grep -q './usr/sbin/cisgate' && dpkg-deb -c '$T'/cisgate-src/dist/cisgate_*.deb | grep -q 'usr/share/cisgate/policy/strict.yaml'"
[ "$FAIL" -eq 0 ] || tail -20 "$T/deb.log"
summary
