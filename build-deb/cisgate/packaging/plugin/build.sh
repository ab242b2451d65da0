#!/bin/sh
# Builds a managed-plugin directory: DIR/config.json and DIR/rootfs with the binary and
# the shared libraries ldd lists (plus empty mount points). Usage: build.sh BINARY DIR
set -eu
BIN=$1
DIR=$2
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
rm -rf "$DIR"
mkdir -p "$DIR/rootfs/usr/bin" "$DIR/rootfs/etc/cisgate" "$DIR/rootfs/var/log/cisgate" \
	"$DIR/rootfs/run/docker/plugins" "$DIR/rootfs/tmp"
cp "$ROOT/config.json" "$DIR/config.json"
install -m 0755 "$BIN" "$DIR/rootfs/usr/bin/cisgate"
# Every library the binary loads, at the same path, and the loader itself.
for lib in $(ldd "$BIN" | awk '/=>/ {print $3} /^[[:space:]]*\// {print $1}'); do
	mkdir -p "$DIR/rootfs$(dirname "$lib")"
	cp -L "$lib" "$DIR/rootfs$lib"
done
# getgrnam() for --group reads these; keep them minimal.
echo 'root:x:0:0:root:/:/usr/sbin/nologin' > "$DIR/rootfs/etc/passwd"
echo 'root:x:0:' > "$DIR/rootfs/etc/group"
echo "plugin directory ready: $DIR (docker plugin create NAME $DIR)"
