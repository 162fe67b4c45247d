#!/bin/sh
# Installs berth from its release tree (the folder this script is in, made by packaging/build-dist.mjs)
# into DESTDIR: the same files, in the same places, as the RPM (packaging/berth.spec runs this script in
# its %install). For hosts without RPM: `DESTDIR=/ npm run install-package`, then
# `systemd-tmpfiles --create berth.conf && systemctl daemon-reload`.
#
# Every folder can be changed (the spec passes RHEL's macros); the defaults are RHEL's. The checkpoint
# units call /usr/bin/berth: with another BINDIR, set BERTH_COMMAND for the generator.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
DESTDIR=${DESTDIR:-}
PREFIX=${PREFIX:-/usr}
BINDIR=${BINDIR:-$PREFIX/bin}
LIBEXECDIR=${LIBEXECDIR:-$PREFIX/libexec}
DATADIR=${DATADIR:-$PREFIX/share}
MANDIR=${MANDIR:-$DATADIR/man}
DOCDIR=${DOCDIR:-$DATADIR/doc/berth}
LICENSEDIR=${LICENSEDIR:-$DATADIR/licenses/berth}
SYSCONFDIR=${SYSCONFDIR:-/etc}
LOCALSTATEDIR=${LOCALSTATEDIR:-/var}
UNITDIR=${UNITDIR:-$PREFIX/lib/systemd/system}
USERUNITDIR=${USERUNITDIR:-$PREFIX/lib/systemd/user}
PRESETDIR=${PRESETDIR:-$PREFIX/lib/systemd/system-preset}
GENERATORDIR=${GENERATORDIR:-$PREFIX/lib/systemd/system-generators}
USERGENERATORDIR=${USERGENERATORDIR:-$PREFIX/lib/systemd/user-generators}
TMPFILESDIR=${TMPFILESDIR:-$PREFIX/lib/tmpfiles.d}
DBUSPOLICYDIR=${DBUSPOLICYDIR:-$DATADIR/dbus-1/system.d}
DBUSSYSTEMSERVICESDIR=${DBUSSYSTEMSERVICESDIR:-$DATADIR/dbus-1/system-services}
DBUSSERVICESDIR=${DBUSSERVICESDIR:-$DATADIR/dbus-1/services}
COMPLETIONDIR=${COMPLETIONDIR:-$DATADIR/bash-completion/completions}

d() { printf '%s%s' "$DESTDIR" "$1"; }
put() { # MODE FILE FOLDER
  mkdir -p "$(d "$3")"
  install -m "$1" "$here/$2" "$(d "$3")/$(basename "$2")"
}

# The application: two bundled files, and the launcher.
for f in berth.mjs berth-generator.cjs; do put 0755 "libexec/$f" "$LIBEXECDIR/berth"; done
mkdir -p "$(d "$BINDIR")"
install -m 0755 "$here/bin/berth" "$(d "$BINDIR")/berth"

# The generator, for the system and the user managers: relative links, so a payload unpacked anywhere
# still resolves them.
for g in "$GENERATORDIR" "$USERGENERATORDIR"; do
  mkdir -p "$(d "$g")"
  ln -sfnr "$(d "$LIBEXECDIR")/berth/berth-generator.cjs" "$(d "$g")/berth"
done

# The agent: units (units/user/ for the user manager), D-Bus policy and activation, presets.
for f in "$here"/units/*; do if [ -f "$f" ]; then put 0644 "units/$(basename "$f")" "$UNITDIR"; fi; done
if [ -d "$here/units/user" ]; then
  for f in "$here"/units/user/*; do if [ -f "$f" ]; then put 0644 "units/user/$(basename "$f")" "$USERUNITDIR"; fi; done
fi
for f in "$here"/dbus/*.conf; do if [ -f "$f" ]; then put 0644 "dbus/$(basename "$f")" "$DBUSPOLICYDIR"; fi; done
for f in "$here"/dbus/system-services/*.service; do if [ -f "$f" ]; then put 0644 "dbus/system-services/$(basename "$f")" "$DBUSSYSTEMSERVICESDIR"; fi; done
for f in "$here"/dbus/services/*.service; do if [ -f "$f" ]; then put 0644 "dbus/services/$(basename "$f")" "$DBUSSERVICESDIR"; fi; done
put 0644 preset/80-berth.preset "$PRESETDIR"

# The checkpoint folder (root only), created at boot by systemd-tmpfiles and here.
put 0644 tmpfiles/berth.conf "$TMPFILESDIR"
install -d -m 0755 "$(d "$LOCALSTATEDIR")/lib/berth"
install -d -m 0700 "$(d "$LOCALSTATEDIR")/lib/berth/checkpoints"

# The definition folders berth reads (berth.definitions(5)); packages put theirs in DATADIR.
install -d -m 0755 "$(d "$SYSCONFDIR")/berth" "$(d "$SYSCONFDIR")/berth/definitions" "$(d "$SYSCONFDIR")/berth/definitions/users"
install -d -m 0755 "$(d "$DATADIR")/berth" "$(d "$DATADIR")/berth/definitions"
# berth enable|disable's state, read by the generator (root's alone, or it is ignored).
install -d -m 0755 "$(d "$SYSCONFDIR")/berth/enabled"

# bash completion (loaded by bash-completion when berth is first completed).
mkdir -p "$(d "$COMPLETIONDIR")"
install -m 0644 "$here/completion/berth.bash" "$(d "$COMPLETIONDIR")/berth"

# Man pages and documents.
for f in "$here"/man/*.[1-8]; do
  s=${f##*.}
  put 0644 "man/$(basename "$f")" "$MANDIR/man$s"
done
for f in README.md BUNDLED; do put 0644 "$f" "$DOCDIR"; done
rm -rf "$(d "$DOCDIR")/examples"
cp -R "$here/examples" "$(d "$DOCDIR")/examples"
chmod -R u=rwX,go=rX "$(d "$DOCDIR")/examples"
for f in LICENSE THIRD-PARTY-LICENSES; do put 0644 "$f" "$LICENSEDIR"; done
