#!/usr/bin/env bash
# Sets up this machine as berth's test host: podman with runc, a busybox image, CRIU >= 4.2 in its own
# folder, systemd-nspawn and dbus. Idempotent: every step checks before it acts, so a second run is quick.
# Facts behind each step: ../shared/testhost/NOTES.md.
set -euo pipefail

CRIU_DIR=${BERTH_CRIU_DIR:-/opt/berth-criu}
QUADLET_DIR=${BERTH_QUADLET_DIR:-/opt/berth-quadlet}
IMAGE=${BERTH_TEST_IMAGE:-localhost/busybox:latest}
log() { printf 'setup: %s\n' "$*" >&2; }

need_root() {
  if [ "$(id -u)" != 0 ]; then log "must run as root"; exit 1; fi
}

apt_packages() {
  # Rootless podman (test/e2e/rootless.test.ts): newuidmap/newgidmap (uidmap), slirp4netns for its network
  # and published ports (podman 4.3 has no pasta), and a user's session bus (dbus-user-session). No
  # fuse-overlayfs: this kernel mounts overlayfs in a user namespace itself, and the test host (nspawn)
  # has no /dev/fuse.
  local pkgs=(podman runc conmon netavark iptables busybox-static dbus dbus-user-session systemd systemd-container
              zstd curl iproute2 uidmap slirp4netns rpm catatonit time strace rpmlint cpio groff-base)
  local missing=()
  for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

containers_conf() {
  # crun fails on hybrid cgroups; podman's default ulimits exceed this machine's hard limits.
  local conf=/etc/containers/containers.conf
  if ! grep -q '^# berth test host' "$conf" 2>/dev/null; then
    log "writing $conf"
    mkdir -p /etc/containers
    cat > "$conf" <<'CONF'
# berth test host
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]

[engine]
runtime = "runc"
CONF
  fi
}

busybox_image() {
  if podman image exists "$IMAGE" 2>/dev/null; then return; fi
  log "importing $IMAGE from busybox-static"
  local dir; dir=$(mktemp -d)
  mkdir -p "$dir/bin" "$dir/tmp" "$dir/www" "$dir/etc" "$dir/proc" "$dir/sys" "$dir/dev" "$dir/run" "$dir/var"
  cp /bin/busybox "$dir/bin/busybox"
  for app in $(/bin/busybox --list); do
    [ "$app" = busybox ] || ln -sf busybox "$dir/bin/$app"
  done
  echo 'root:x:0:0:root:/root:/bin/sh' > "$dir/etc/passwd"
  echo 'root:x:0:' > "$dir/etc/group"
  tar -C "$dir" -c . | podman import --change 'CMD ["/bin/sh"]' - "$IMAGE" >/dev/null
  rm -rf "$dir"
}

# A private apt configuration for one other Debian suite: its own sources, lists and cache, and an empty
# dpkg status, so packages are only downloaded, never installed, and the system's apt is left alone.
apt_download() {
  local suite=$1 dest=$2; shift 2
  local apt_dir; apt_dir=$(mktemp -d)
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/etc"
  cat > "$apt_dir/etc/$suite.sources" <<SRC
Types: deb
URIs: http://deb.debian.org/debian
Suites: $suite
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  local opts=(-o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$apt_dir/etc"
              -o "Dir::Etc::Preferences=/dev/null" -o "Dir::Etc::PreferencesParts=$apt_dir/etc"
              -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
              -o "Dir::State::status=/dev/null" -o "Debug::NoLocking=1" -o "APT::Sandbox::User=root")
  apt-get "${opts[@]}" update -qq
  ( cd "$dest" && apt-get "${opts[@]}" download "$@" >/dev/null )
  rm -rf "$apt_dir"
}

criu() {
  # Debian 12's criu fails on this kernel, and 4.1 cannot dump TCP listeners; sid's needs a newer libc,
  # so it lives in its own folder with its own loader, never in the system.
  if [ -x /usr/local/sbin/criu ] && /usr/local/sbin/criu --version 2>/dev/null | grep -Eq 'Version: (4\.([2-9]|[1-9][0-9])|[5-9])'; then
    return
  fi
  log "fetching CRIU from Debian sid into $CRIU_DIR"
  local debs; debs=$(mktemp -d)
  apt_download sid "$debs" criu libc6 libnet9 libnl-3-200 libprotobuf-c1 \
      libgnutls30t64 libnftables1 libbsd0 libcap2 libmd0 libnftnl11 libmnl0 libjansson4 libxtables12 \
      libgmp10 libhogweed6t64 libnettle8t64 libidn2-0 libp11-kit0 libtasn1-6 libunistring5 libffi8 \
      libedit2 libtinfo6 libnl-route-3-200 libuuid1
  rm -rf "$CRIU_DIR.new"; mkdir -p "$CRIU_DIR.new"
  for deb in "$debs"/*.deb; do dpkg-deb -x "$deb" "$CRIU_DIR.new"; done
  rm -rf "$CRIU_DIR"; mv "$CRIU_DIR.new" "$CRIU_DIR"
  rm -rf "$debs"
  mkdir -p /usr/local/sbin
  cat > /usr/local/sbin/criu <<WRAP
#!/bin/sh
exec $CRIU_DIR/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 --library-path $CRIU_DIR/usr/lib/x86_64-linux-gnu $CRIU_DIR/usr/sbin/criu "\$@"
WRAP
  chmod 755 /usr/local/sbin/criu
  if ! /usr/local/sbin/criu check >/dev/null 2>&1; then
    log "criu check failed:"; /usr/local/sbin/criu check >&2 || true; exit 1
  fi
}

quadlet() {
  # Podman 5.x's Quadlet is the reference berth is compared against (test/differential). It comes from
  # Debian trixie's podman package, unpacked into its own folder; the system's podman 4.3 stays as it is.
  local bin="$QUADLET_DIR/usr/libexec/podman/quadlet"
  if [ -x "$bin" ] && "$bin" -version 2>/dev/null | grep -q '^5\.'; then return; fi
  log "fetching podman 5 (Debian trixie) for its quadlet into $QUADLET_DIR"
  local debs; debs=$(mktemp -d)
  apt_download trixie "$debs" podman
  local deb; deb=$(ls "$debs"/podman_5.*.deb 2>/dev/null | head -1)
  if [ -z "$deb" ]; then log "trixie's podman is not 5.x: $(ls "$debs")"; exit 1; fi
  rm -rf "$QUADLET_DIR.new"; mkdir -p "$QUADLET_DIR.new"
  dpkg-deb -x "$deb" "$QUADLET_DIR.new"
  rm -rf "$QUADLET_DIR"; mv "$QUADLET_DIR.new" "$QUADLET_DIR"; rm -rf "$debs"
  if ! "$bin" -version >/dev/null 2>&1; then log "$bin does not run"; exit 1; fi
}

node_modules() {
  local root; root=$(cd "$(dirname "$0")/../.." && pwd)
  if [ ! -d "$root/node_modules" ] || [ "$root/package-lock.json" -nt "$root/node_modules/.package-lock.json" ]; then
    log "installing npm packages"
    (cd "$root" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

need_root
apt_packages
containers_conf
busybox_image
criu
quadlet
node_modules
log "ready: $(podman --version), criu $(/usr/local/sbin/criu --version | head -1), quadlet $("$QUADLET_DIR/usr/libexec/podman/quadlet" -version)"
