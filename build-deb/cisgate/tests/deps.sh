#!/bin/sh
# Installs the Debian packages given as arguments that are not installed yet.
# `apt-get update` runs once per machine boot before the first install.
set -eu
missing=""
for p in "$@"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "cisgate: missing packages:$missing (run as root, or apt-get install them)" >&2
	exit 1
fi
stamp=/run/cisgate-apt-updated
if [ ! -e "$stamp" ]; then
	apt-get update -qq
	touch "$stamp" 2>/dev/null || true
fi
echo "cisgate: installing$missing"
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
