#!/usr/bin/env bash
# Installs berth as a systemd system and user generator: symlinks in the standard generator folders
# pointing at this checkout's built generator entry. PREFIX defaults to /usr/local (the RPM uses /usr).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
prefix=${PREFIX:-/usr/local}
entry="$root/dist/berth-generator.cjs"
[ -x "$entry" ] || { echo "install-generators: build first (npm run build): $entry is missing" >&2; exit 1; }
for kind in system user; do
  dir="${DESTDIR:-}$prefix/lib/systemd/$kind-generators"
  mkdir -p "$dir"
  ln -sfn "$entry" "$dir/berth"
  echo "installed $dir/berth -> $entry"
done
# The user units berth generates wait for the network with this one (src/compile/compile.ts).
user_units="${DESTDIR:-}$prefix/lib/systemd/user"
mkdir -p "$user_units"
ln -sfn "$root/units/user/berth-user-wait-network-online.service" "$user_units/berth-user-wait-network-online.service"
echo "installed $user_units/berth-user-wait-network-online.service"
mkdir -p "${DESTDIR:-}/etc/berth/definitions"
