#!/usr/bin/env bash
# Builds the berth RPM: the release tarball (packaging/build-dist.mjs), then rpmbuild -bb with the
# tarball's berth.spec (packaging/berth.spec with package.json's version). Needs a built checkout
# (npm run build; `npm run rpm` does both).
# Usage: bash packaging/build-rpm.sh [OUTDIR]   (default dist/rpm); prints the RPM's path.
#
# On a host whose rpm lacks RHEL's macros (Debian's, in CI) it loads packaging/rpm/macros.ci,
# and since such a host's RPM database knows none of the build requirements, it passes --nodeps. Either
# way it refuses an RPM with a macro left unexpanded in a scriptlet.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "${1:-$root/dist/rpm}" && cd "${1:-$root/dist/rpm}" && pwd)
command -v rpmbuild >/dev/null || { echo "build-rpm: rpmbuild not found (Debian: apt-get install rpm; RHEL: dnf install rpm-build)" >&2; exit 1; }

rm -rf "$out/SOURCES" "$out/rpmbuild"
tarball=$(node "$root/packaging/build-dist.mjs" "$out/SOURCES")
spec=${tarball%.tar.gz}/berth.spec

args=(--define "_topdir $out/rpmbuild" --define "_sourcedir $out/SOURCES" --define "_rpmdir $out")
if [ -z "$(rpm --eval '%{?_unitdir}')" ]; then
  args+=(--load "$root/packaging/rpm/macros.ci")
fi
if [ "$(rpm -qa 2>/dev/null | wc -l)" -eq 0 ]; then
  args+=(--nodeps)
fi
log=$out/rpmbuild.log
if ! rpmbuild -bb "${args[@]}" "$spec" >"$log" 2>&1; then
  cat "$log" >&2
  echo "build-rpm: rpmbuild failed (log: $log)" >&2
  exit 1
fi
rpm_file=$(sed -n 's/^Wrote: \(.*\.rpm\)$/\1/p' "$log" | tail -n 1)
[ -f "$rpm_file" ] || { cat "$log" >&2; echo "build-rpm: rpmbuild wrote no RPM" >&2; exit 1; }

# A macro rpmbuild does not know stays in the scriptlet as text, and the shell would run it as a command.
if rpm -qp --scripts "$rpm_file" 2>/dev/null | grep -nE '%(\{|[a-z_]+)'; then
  echo "build-rpm: $rpm_file has unexpanded macros in its scriptlets (above)" >&2
  exit 1
fi
echo "$rpm_file"
