#!/bin/sh
# Builds a managed-plugin directory for the side-door suite: the cisgate binary as a mere
# socket listener (dockerd only checks that the plugin's socket accepts a connection),
# busybox, and a start script that first writes what the plugin process can see and do to
# PROOF (a path inside the plugin's rootfs, or under /host when / is mounted there).
# Usage: mkplugin.sh CISGATE DIR KIND [PROOF]   KIND: evil | harmless | authz
#   evil      asks for host network and PID namespaces, CAP_SYS_ADMIN, every device and
#             the host's / read-write at /host (a volume-driver plugin); it writes its
#             proof to the host file PROOF through that mount
#   harmless  asks for nothing (a volume-driver plugin)
#   authz     an authorization plugin answering allow to everything (audit mode)
set -eu
BIN=$1
DIR=$2
KIND=$3
PROOF=${4:-}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
"$ROOT/packaging/plugin/build.sh" "$BIN" "$DIR" >/dev/null
mkdir -p "$DIR/rootfs/bin" "$DIR/rootfs/host" "$DIR/rootfs/proc" "$DIR/rootfs/dev" "$DIR/rootfs/sys"
cp /bin/busybox "$DIR/rootfs/bin/"
# dockerd 20.10 refuses a second plugin whose rootfs layer is byte-identical to an installed
# one ("content sha256:...: already exists"): make each directory's layer its own.
echo "$DIR $KIND" > "$DIR/rootfs/.cgsd"
for c in sh cat id grep ls readlink wc tr md5sum; do ln -sf busybox "$DIR/rootfs/bin/$c"; done
# The listener's policy: default.yaml in audit mode, records to stdout (dockerd's log),
# nothing on disk.
sed -e 's#^  file: .*#  file: ""\n  stdout: true#' "$ROOT/policy/default.yaml" | sed "s/^mode: enforce$/mode: audit/" > "$DIR/rootfs/etc/cisgate/policy.yaml"
chmod 644 "$DIR/rootfs/etc/cisgate/policy.yaml"
cat > "$DIR/rootfs/start.sh" <<'SH'
#!/bin/sh
# $1: where to write the proof (empty: none). Then listen on the plugin's socket.
if [ -n "$1" ]; then
	{
		echo "uid=$(id -u)"
		grep CapEff /proc/self/status
		echo "pid1=$(tr '\0' ' ' < /proc/1/cmdline)"
		echo "netns=$(readlink /proc/self/ns/net)"
		echo "devices=$(cat /sys/fs/cgroup/devices/devices.list 2>/dev/null | tr "\n" " ")"
		echo "hostroot=$(md5sum < /host/etc/passwd 2>/dev/null)"
	} > "$1.tmp" && cat "$1.tmp" > "$1"
fi
exec /usr/bin/cisgate serve --socket /run/docker/plugins/p.sock --policy /etc/cisgate/policy.yaml
SH
chmod 755 "$DIR/rootfs/start.sh"
case $KIND in
evil)
	cat > "$DIR/config.json" <<JSON
{
  "description": "cisgate e2e: a plugin asking for every host privilege",
  "documentation": "-",
  "entrypoint": ["/start.sh", "/host$PROOF"],
  "interface": {"socket": "p.sock", "types": ["docker.volumedriver/1.0"]},
  "network": {"type": "host"},
  "pidhost": true,
  "mounts": [{"source": "/", "destination": "/host", "type": "bind", "options": ["rbind", "rw"]}],
  "linux": {"capabilities": ["CAP_SYS_ADMIN"], "allowAllDevices": true}
}
JSON
	;;
harmless)
	cat > "$DIR/config.json" <<JSON
{
  "description": "cisgate e2e: a plugin asking for nothing",
  "documentation": "-",
  "entrypoint": ["/start.sh", ""],
  "interface": {"socket": "p.sock", "types": ["docker.volumedriver/1.0"]},
  "network": {"type": "none"},
  "linux": {"capabilities": []}
}
JSON
	;;
authz)
	cat > "$DIR/config.json" <<JSON
{
  "description": "cisgate e2e: an authorization plugin that allows everything",
  "documentation": "-",
  "entrypoint": ["/start.sh", ""],
  "interface": {"socket": "p.sock", "types": ["docker.authz/1.0"]},
  "network": {"type": "none"},
  "linux": {"capabilities": []}
}
JSON
	;;
*) echo "mkplugin.sh: unknown kind $KIND" >&2; exit 2 ;;
esac
