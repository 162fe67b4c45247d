/**
 * First podman release whose CLI accepts each flag, by subcommand. Derived from podman's git history
 * (tags v4.0.0…v5.8.0): the first minor tag whose flag registration (cmd/podman/…, or buildah's pkg/cli
 * vendored under vendor/) or value parser has the flag or value. Flags present in v4.0.0 are '4.0'.
 *
 * Key forms:
 *   '<subcommand>'                       the subcommand itself
 *   '<subcommand> --flag' / '-x'         a flag (long and, where Quadlet emits it, short form)
 *   '<subcommand> --flag=value'          a whole value (or value prefix) that came after the flag
 *   '<subcommand> --flag option'         an option inside a value (mount CSV keys, -v/--tmpfs options, …)
 * Subcommands: global, run, rm, exec, kill, volume create, volume rm, network create, network rm,
 * pod create, pod start, pod stop, pod rm, kube play, kube down, image pull, build, image rm, artifact pull.
 *
 * A flag under a subcommand is never older than the subcommand: `kube play` only exists since 4.3, so its
 * flags are at least '4.3' even where `podman play kube` had them earlier (noted per entry).
 * Value parsers shared by `run`, `pod create` and `kube play` (--userns, --uidmap/--gidmap, --network
 * modes, -v/--mount options, --add-host) are listed once, under `run`; the same version applies to the
 * other subcommands (once the subcommand and flag exist).
 *
 * This is the one table of versions the compilers know; src/compile/gates.ts reads it, and a gate named in
 * code that it lacks fails when that code loads.
 */
export const FLAG_SINCE: Readonly<Record<string, string>> = {
  // ---------------------------------------------------------------- global (before the subcommand)
  'global --module': '4.7', // cmd/podman/root.go at v4.7.0 (moduleFlagName, commit d5841ed528); local (non-remote) only

  // ---------------------------------------------------------------- run: flags
  'run': '4.0',
  'run --name': '4.0', // cmd/podman/common/create.go at v4.0.0
  'run --replace': '4.0', // cmd/podman/common/create.go at v4.0.0
  'run --rm': '4.0', // cmd/podman/common/create.go at v4.0.0
  'run -d': '4.0', // cmd/podman/containers/run.go at v4.0.0 (BoolVarP "detach", "d")
  'run --detach': '4.0', // cmd/podman/containers/run.go at v4.0.0
  'run --cidfile': '4.0', // cmd/podman/common/create.go at v4.0.0 (emitted by Quadlet <= 5.5)
  'run --log-driver': '4.0', // cmd/podman/common/create.go at v4.0.0
  'run --log-opt': '4.0', // cmd/podman/common/create.go at v4.0.0
  'run --cgroups': '4.0', // cmd/podman/common/create.go at v4.0.0
  'run --entrypoint': '4.0', // cmd/podman/common/create.go at v4.0.0
  'run --tz': '4.0', // cmd/podman/common/create.go at v4.0.0
  'run --pids-limit': '4.0', // cmd/podman/common/create.go at v4.0.0
  'run --shm-size': '4.0', // cmd/podman/common/create.go at v4.0.0
  'run --workdir': '4.0', // cmd/podman/common/create.go at v4.0.0
  'run --ip': '4.0', // cmd/podman/common/netflags.go at v4.0.0
  'run --ip6': '4.0', // cmd/podman/common/netflags.go at v4.0.0
  'run --hostname': '4.0', // cmd/podman/common/create.go at v4.0.0
  'run --stop-signal': '4.0', // cmd/podman/common/create.go at v4.0.0
  'run --stop-timeout': '4.0', // cmd/podman/common/create.go at v4.0.0
  'run --pull': '4.0', // cmd/podman/common/create.go at v4.0.0
  'run --memory': '4.0', // cmd/podman/common/create.go at v4.0.0
  'run --retry': '5.0', // cmd/podman/common/create.go at v5.0.0 (retryFlagName)
  'run --retry-delay': '5.0', // cmd/podman/common/create.go at v5.0.0 (retryDelayFlagName)
  'run --network-alias': '4.0', // cmd/podman/common/netflags.go at v4.0.0
  'run --ulimit': '4.0', // cmd/podman/common/create.go at v4.0.0
  'run --dns': '4.0', // cmd/podman/common/netflags.go at v4.0.0
  'run --dns-opt': '4.0', // cmd/podman/common/netflags.go at v4.0.0 (the older spelling of --dns-option)
  'run --dns-option': '4.3', // cmd/podman/common/netflags.go at v4.3.0 renamed "dns-opt" -> "dns-option" (4.0-4.2 only know --dns-opt; 4.3+ alias dns-opt, cmd/podman/utils/alias.go)
  'run --dns-search': '4.0', // cmd/podman/common/netflags.go at v4.0.0
  'run --group-add': '4.0', // cmd/podman/common/create.go at v4.0.0
  'run --add-host': '4.0', // cmd/podman/common/netflags.go at v4.0.0
  'run --tmpfs': '4.0', // cmd/podman/common/create.go at v4.0.0
  'run --init': '4.0', // cmd/podman/common/create.go at v4.0.0
  'run --env-host': '4.0', // cmd/podman/common/create.go at v4.0.0 (hidden on podman-remote)
  'run --http-proxy': '4.0', // cmd/podman/common/create.go at v4.0.0 (hidden on podman-remote)
  'run --read-only-tmpfs': '4.0', // cmd/podman/common/create.go at v4.0.0
  'run --read-only': '4.0', // cmd/podman/common/create.go at v4.0.0
  'run --network': '4.0', // cmd/podman/common/netflags.go at v4.0.0
  'run --sdnotify': '4.0', // cmd/podman/common/create.go at v4.0.0
  'run --security-opt': '4.0', // cmd/podman/common/create.go at v4.0.0
  'run --device': '4.0', // cmd/podman/common/create.go at v4.0.0 (CDI names too: pkg/specgen/generate/container_create.go cdi.IsQualifiedName)
  'run --cap-add': '4.0', // cmd/podman/common/create.go at v4.0.0
  'run --cap-drop': '4.0', // cmd/podman/common/create.go at v4.0.0
  'run --sysctl': '4.0', // cmd/podman/common/create.go at v4.0.0
  'run --label': '4.0', // cmd/podman/common/create.go at v4.0.0
  'run --expose': '4.0', // cmd/podman/common/create.go at v4.0.0
  'run --env': '4.0', // cmd/podman/common/create.go at v4.0.0 (bare NAME copies the host value since 4.0 too)
  'run --annotation': '4.0', // cmd/podman/common/create.go at v4.0.0
  'run --env-file': '4.0', // cmd/podman/common/create.go at v4.0.0
  'run --secret': '4.0', // cmd/podman/common/create.go at v4.0.0 (type/target/uid/gid/mode options unchanged 4.0-5.8, pkg/specgenutil/specgen.go parseSecrets)
  'run --mount': '4.0', // cmd/podman/common/create.go at v4.0.0
  'run --pod': '4.0', // cmd/podman/common/create.go at v4.0.0
  'run --rootfs': '4.0', // cmd/podman/common/create.go at v4.0.0
  'run --user': '4.0', // cmd/podman/common/create.go at v4.0.0
  'run --userns': '4.0', // cmd/podman/common/create.go at v4.0.0
  'run --uidmap': '4.0', // cmd/podman/common/create.go at v4.0.0
  'run --gidmap': '4.0', // cmd/podman/common/create.go at v4.0.0
  'run --subuidname': '4.0', // cmd/podman/common/create.go at v4.0.0
  'run --subgidname': '4.0', // cmd/podman/common/create.go at v4.0.0
  'run --publish': '4.0', // cmd/podman/common/netflags.go at v4.0.0
  'run --volume': '4.0', // cmd/podman/common/create.go at v4.0.0 (StringArrayVarP "volume", "v")
  'run -v': '4.0', // cmd/podman/common/create.go at v4.0.0
  'run --health-cmd': '4.0', // cmd/podman/common/create.go at v4.0.0
  'run --health-interval': '4.0', // cmd/podman/common/create.go at v4.0.0
  'run --health-retries': '4.0', // cmd/podman/common/create.go at v4.0.0
  'run --health-start-period': '4.0', // cmd/podman/common/create.go at v4.0.0
  'run --health-timeout': '4.0', // cmd/podman/common/create.go at v4.0.0
  'run --health-on-failure': '4.3', // cmd/podman/common/create.go at v4.3.0 (values none/kill/restart/stop all in libpod/define/healthchecks.go at v4.3.0)
  'run --health-startup-cmd': '4.4', // cmd/podman/common/create.go at v4.4.0
  'run --health-startup-interval': '4.4', // cmd/podman/common/create.go at v4.4.0
  'run --health-startup-retries': '4.4', // cmd/podman/common/create.go at v4.4.0
  'run --health-startup-success': '4.4', // cmd/podman/common/create.go at v4.4.0
  'run --health-startup-timeout': '4.4', // cmd/podman/common/create.go at v4.4.0
  'run --health-log-destination': '5.3', // cmd/podman/common/create.go at v5.3.0
  'run --health-max-log-count': '5.3', // cmd/podman/common/create.go at v5.3.0
  'run --health-max-log-size': '5.3', // cmd/podman/common/create.go at v5.3.0

  // ---------------------------------------------------------------- run: values
  'run --cgroups=split': '4.0', // cmd/podman/common/create.go at v4.0.0 ("enabled"|"disabled"|"no-conmon"|"split"); libpod/oci_conmon.go cgroupSplit
  'run --cgroups=no-conmon': '4.0', // cmd/podman/common/create.go at v4.0.0; written for user units on cgroups v1 (compile/cgroups-mode.ts)
  'run --sdnotify=conmon': '4.0', // libpod/define/config.go at v4.0.0 SdNotifyModeConmon
  'run --sdnotify=container': '4.0', // libpod/define/config.go at v4.0.0 SdNotifyModeContainer
  'run --sdnotify=healthy': '4.7', // libpod/define/sdnotify.go at v4.7.0 SdNotifyModeHealthy (docs/source/markdown/options/sdnotify.md at v4.7.0)
  'run --pull=newer': '4.0', // vendor/github.com/containers/common/pkg/config/pull_policy.go at v4.0.0 ParsePullPolicy
  'run --log-driver=passthrough': '4.0', // libpod/define/config.go at v4.0.0 PassthroughLogging
  'run --log-driver=passthrough-tty': '5.0', // libpod/define/config.go at v5.0.0 PassthroughTTYLogging
  'run --network=pasta': '4.4', // pkg/specgen/namespaces.go at v4.4.0 (Pasta NamespaceMode; also pasta:OPTS); also pod create / kube play --network
  'run --network=NAME:OPTS': '4.0', // pkg/specgen/namespaces.go at v4.0.0 parseBridgeNetworkOptions (ip, ip6, mac, alias, interface_name)
  'run --security-opt=no-new-privileges': '4.0', // pkg/specgenutil/specgen.go at v4.0.0
  'run --security-opt label=disable': '4.0', // pkg/specgenutil/specgen.go at v4.0.0 + vendor/github.com/opencontainers/selinux/go-selinux/label
  'run --security-opt label=type': '4.0', // vendor/github.com/opencontainers/selinux/go-selinux/label/label_linux.go at v4.0.0
  'run --security-opt label=filetype': '4.0', // vendor/github.com/opencontainers/selinux/go-selinux/label/label_linux.go at v4.0.0 ("filetype": true)
  'run --security-opt label=level': '4.0', // vendor/github.com/opencontainers/selinux/go-selinux/label/label_linux.go at v4.0.0
  'run --security-opt label=nested': '4.5', // pkg/specgenutil/specgen.go at v4.5.0 (con[1] == "nested" -> LabelNested)
  'run --security-opt apparmor': '4.0', // pkg/specgenutil/specgen.go at v4.0.0
  'run --security-opt seccomp': '4.0', // pkg/specgenutil/specgen.go at v4.0.0
  'run --security-opt mask': '4.0', // pkg/specgenutil/specgen.go at v4.0.0
  'run --security-opt unmask': '4.0', // pkg/specgenutil/specgen.go at v4.0.0
  'run --userns=auto': '4.0', // pkg/namespaces/namespaces.go at v4.0.0
  'run --userns=auto:uidmapping': '4.0', // pkg/namespaces/namespaces.go at v4.0.0 GetAutoOptions
  'run --userns=auto:gidmapping': '4.0', // pkg/namespaces/namespaces.go at v4.0.0 GetAutoOptions
  'run --userns=auto:size': '4.0', // pkg/namespaces/namespaces.go at v4.0.0 GetAutoOptions
  'run --userns=keep-id': '4.0', // pkg/namespaces/namespaces.go at v4.0.0 (rootless only until 4.5, see next)
  'run --userns=keep-id (root)': '4.5', // before v4.5.0 pkg/util/utils.go: "keep-id is only supported in rootless mode" (removed by de63ad7044, first in v4.5.0)
  'run --userns=keep-id:uid': '4.3', // pkg/namespaces/namespaces.go at v4.3.0 GetKeepIDOptions (commit e015c9e3f7)
  'run --userns=keep-id:gid': '4.3', // pkg/namespaces/namespaces.go at v4.3.0 GetKeepIDOptions
  'run --userns=keep-id:size': '5.4', // pkg/namespaces/namespaces.go at v5.4.0 (commit b0b1d19723)
  'run --userns=nomap': '4.1', // pkg/namespaces/namespaces.go at v4.1.0
  'run --uidmap @': '4.7', // pkg/util/utils.go at v4.7.0 parseTriple: "@" host ids and "+"/"u"/"g" flags (commit 91b8bc7f13)
  'run --gidmap @': '4.7', // pkg/util/utils.go at v4.7.0 (same parser as --uidmap)
  'run --add-host=host-gateway': '4.7', // cmd/podman/parse/net.go at v4.7.0 ValidateExtraHost (etchosts.HostGateway)
  'run --add-host name;name': '5.3', // cmd/podman/parse/net.go at v5.3.0 (several ';'-separated host names)
  'run --rootfs :O': '4.0', // pkg/specgen/specgen.go at v4.0.0 RootfsOverlay
  'run --rootfs :idmap': '4.5', // pkg/specgen/specgen.go at v4.5.0 RootfsMapping
  'run --ulimit=host': '4.0', // pkg/specgenutil/specgen.go at v4.0.0
  'run --tmpfs noswap': '4.7', // pkg/util/mountOpts.go at v4.7.0 case "noswap"
  'run --tmpfs noatime': '5.6', // pkg/util/mount_opts.go at v5.6.0 case "noatime" (tmpfs only)
  'run --volume copy': '4.2', // pkg/util/mountOpts.go at v4.2.0 case "copy", "nocopy" (commit aada13f244)
  'run --volume nocopy': '4.2', // pkg/util/mountOpts.go at v4.2.0
  'run --volume no-dereference': '5.0', // pkg/util/mountOpts.go at v5.0.0
  'run --volume idmap': '4.0', // pkg/util/mountOpts.go at v4.0.0 case "idmap"
  'run --volume O': '4.0', // pkg/util/mountOpts.go at v4.0.0 case "O"
  'run --volume U': '4.0', // pkg/util/mountOpts.go at v4.0.0 case "U"
  'run --mount type=bind': '4.0', // pkg/specgenutil/volumes.go at v4.0.0
  'run --mount type=volume': '4.0', // pkg/specgenutil/volumes.go at v4.0.0
  'run --mount type=tmpfs': '4.0', // pkg/specgenutil/volumes.go at v4.0.0
  'run --mount type=devpts': '4.0', // pkg/specgenutil/volumes.go at v4.0.0
  'run --mount type=image': '4.0', // pkg/specgenutil/volumes.go at v4.0.0 case "image"
  'run --mount type=glob': '4.7', // pkg/specgenutil/volumes.go at v4.7.0 case "glob"
  'run --mount type=ramfs': '4.7', // pkg/specgenutil/volumes.go at v4.7.0 define.TypeRamfs
  'run --mount type=artifact': '5.5', // pkg/specgenutil/volumes.go at v5.5.0 case "artifact"
  'run --mount type=image,subpath': '5.1', // pkg/specgenutil/volumes.go at v5.1.0 (image mount "subpath")
  'run --mount type=volume,subpath': '5.4', // pkg/specgenutil/volumes.go at v5.4.0 case "subpath", "volume-subpath"
  'run --mount no-dereference': '5.0', // pkg/specgenutil/volumes.go at v5.0.0
  'run --mount noswap': '4.7', // pkg/specgenutil/volumes.go at v4.7.0 (tmpfs)
  'run --mount idmap': '4.0', // pkg/specgenutil/volumes.go at v4.0.0
  'run --mount relabel': '4.0', // pkg/specgenutil/volumes.go at v4.0.0
  'run --mount U': '4.0', // pkg/specgenutil/volumes.go at v4.0.0 case "U", "chown"
  'run --mount dest': '5.6', // pkg/specgenutil/volumes.go at v5.6.0 ("dest" alias; "target"/"dst"/"destination" since 4.0)

  // ---------------------------------------------------------------- rm / exec / kill (ExecStop, ExecStopPost, ExecReload)
  'rm': '4.0',
  'rm --volumes': '4.0', // cmd/podman/containers/rm.go at v4.0.0 (BoolVarP "volumes", "v")
  'rm -v': '4.0', // cmd/podman/containers/rm.go at v4.0.0
  'rm --force': '4.0', // cmd/podman/containers/rm.go at v4.0.0 (BoolVarP "force", "f")
  'rm -f': '4.0', // cmd/podman/containers/rm.go at v4.0.0
  'rm --ignore': '4.0', // cmd/podman/containers/rm.go at v4.0.0 (BoolVarP "ignore", "i")
  'rm -i': '4.0', // cmd/podman/containers/rm.go at v4.0.0
  'rm --cidfile': '4.0', // cmd/podman/containers/rm.go at v4.0.0 (Quadlet <= 5.5 ExecStop)
  'exec': '4.0', // cmd/podman/containers/exec.go at v4.0.0
  'kill': '4.0', // cmd/podman/containers/kill.go at v4.0.0
  'kill --signal': '4.0', // cmd/podman/containers/kill.go at v4.0.0 (StringVarP "signal", "s")

  // ---------------------------------------------------------------- volume create / rm
  'volume create': '4.0',
  'volume create --ignore': '4.4', // cmd/podman/volumes/create.go at v4.4.0 (ignoreFlagName)
  'volume create --driver': '4.0', // cmd/podman/volumes/create.go at v4.0.0
  'volume create --opt': '4.0', // cmd/podman/volumes/create.go at v4.0.0 (device=, type=, o=uid/gid/size parsed in pkg/domain/infra/abi/parse/parse.go)
  'volume create --label': '4.0', // cmd/podman/volumes/create.go at v4.0.0
  'volume create --uid': '5.6', // cmd/podman/volumes/create.go at v5.6.0
  'volume create --gid': '5.6', // cmd/podman/volumes/create.go at v5.6.0
  'volume create --opt copy': '4.2', // libpod/runtime_volume_linux.go at v4.2.0 (local driver accepts "copy","nocopy"; 4.0/4.1 reject "invalid mount option copy for driver 'local'")
  'volume create --opt nocopy': '4.2', // libpod/runtime_volume_linux.go at v4.2.0
  'volume create --driver=image': '4.3', // libpod/define/config.go at v4.3.0 VolumeDriverImage (+ --opt image=, libpod/runtime_volume_common.go)
  'volume rm': '4.0', // cmd/podman/volumes/rm.go at v4.0.0
  'volume rm --force': '4.0', // cmd/podman/volumes/rm.go at v4.0.0

  // ---------------------------------------------------------------- network create / rm
  'network create': '4.0',
  'network create --ignore': '4.4', // cmd/podman/networks/create.go at v4.4.0
  'network create --disable-dns': '4.0', // cmd/podman/networks/create.go at v4.0.0
  'network create --driver': '4.0', // cmd/podman/networks/create.go at v4.0.0
  'network create --gateway': '4.0', // cmd/podman/networks/create.go at v4.0.0
  'network create --ipam-driver': '4.0', // cmd/podman/networks/create.go at v4.0.0 (value only honoured from 4.1, see below)
  'network create --ip-range': '4.0', // cmd/podman/networks/create.go at v4.0.0 (CIDR form)
  'network create --ipv6': '4.0', // cmd/podman/networks/create.go at v4.0.0
  'network create --internal': '4.0', // cmd/podman/networks/create.go at v4.0.0
  'network create --label': '4.0', // cmd/podman/networks/create.go at v4.0.0
  'network create --opt': '4.0', // cmd/podman/networks/create.go at v4.0.0
  'network create --subnet': '4.0', // cmd/podman/networks/create.go at v4.0.0
  'network create --dns': '4.4', // cmd/podman/networks/create.go at v4.4.0 (dnsserverFlagName)
  'network create --interface-name': '4.5', // cmd/podman/networks/create.go at v4.5.0
  'network create --ip-range=START-END': '4.6', // cmd/podman/networks/create.go at v4.6.0 parseRange ("range contains dash")
  'network create --driver=ipvlan': '4.5', // vendor/github.com/containers/common/libnetwork/netavark/config.go at v4.5.0 (netavark; the CNI backend had ipvlan in 4.0)
  'network create --ipam-driver=none': '4.1', // vendor/github.com/containers/common/libnetwork/types/const.go at v4.1.0 NoneIPAMDriver (netavark + CNI)
  'network create --ipam-driver=dhcp': '4.5', // vendor/github.com/containers/common/libnetwork/netavark/config.go at v4.5.0 (netavark; CNI: macvlan/ipvlan dhcp since 4.0)
  'network create --opt mtu': '4.0', // vendor/github.com/containers/common/libnetwork/netavark/config.go at v4.0.0
  'network create --opt vlan': '4.0', // vendor/github.com/containers/common/libnetwork/netavark/config.go at v4.0.0
  'network create --opt mode': '4.0', // vendor/github.com/containers/common/libnetwork/netavark/config.go at v4.0.0 (macvlan/ipvlan)
  'network create --opt isolate': '4.2', // vendor/github.com/containers/common/libnetwork/netavark/config.go at v4.2.0 IsolateOption (CNI too)
  'network create --opt isolate=strict': '4.6', // vendor/github.com/containers/common/libnetwork/internal/util/parse.go at v4.6.0 ParseIsolate
  'network create --opt metric': '4.4', // vendor/github.com/containers/common/libnetwork/netavark/config.go at v4.4.0 MetricOption (netavark only)
  'network create --opt no_default_route': '4.6', // vendor/github.com/containers/common/libnetwork/netavark/config.go at v4.6.0 NoDefaultRoute (netavark only)
  'network create --opt bclim': '4.6', // vendor/github.com/containers/common/libnetwork/netavark/config.go at v4.6.0 BclimOption (netavark macvlan)
  'network create --opt vrf': '4.8', // vendor/github.com/containers/common/libnetwork/netavark/config.go at v4.8.0 VRFOption (netavark only)
  'network rm': '4.0', // cmd/podman/networks/rm.go at v4.0.0
  'network rm --force': '4.0', // cmd/podman/networks/rm.go at v4.0.0

  // ---------------------------------------------------------------- pod create / start / stop / rm
  'pod create': '4.0', // cmd/podman/pods/create.go at v4.0.0
  'pod create --infra-conmon-pidfile': '4.0', // cmd/podman/common/create.go at v4.0.0 (isInfra name of conmon-pidfile)
  'pod create --replace': '4.0', // cmd/podman/pods/create.go at v4.0.0
  'pod create --name': '4.0', // cmd/podman/pods/create.go at v4.0.0
  'pod create --infra-name': '4.0', // cmd/podman/common/create.go at v4.0.0 (isInfra name of --name)
  'pod create --exit-policy': '4.2', // cmd/podman/pods/create.go at v4.2.0 (policyFlag; values continue/stop)
  'pod create --pod-id-file': '4.0', // cmd/podman/pods/create.go at v4.0.0 (emitted by Quadlet 5.0-5.5)
  'pod create --userns': '4.0', // cmd/podman/common/create.go at v4.0.0 (outside the !isInfra block)
  'pod create --uidmap': '4.0', // cmd/podman/common/create.go at v4.0.0
  'pod create --gidmap': '4.0', // cmd/podman/common/create.go at v4.0.0
  'pod create --subuidname': '4.0', // cmd/podman/common/create.go at v4.0.0
  'pod create --subgidname': '4.0', // cmd/podman/common/create.go at v4.0.0
  'pod create --publish': '4.0', // cmd/podman/common/netflags.go at v4.0.0 (DefineNetFlags in pods/create.go)
  'pod create --label': '4.0', // cmd/podman/common/create.go at v4.0.0
  'pod create --network': '4.0', // cmd/podman/common/netflags.go at v4.0.0
  'pod create --ip': '4.0', // cmd/podman/common/netflags.go at v4.0.0
  'pod create --ip6': '4.0', // cmd/podman/common/netflags.go at v4.0.0
  'pod create --network-alias': '4.0', // cmd/podman/common/netflags.go at v4.0.0
  'pod create --dns': '4.0', // cmd/podman/common/netflags.go at v4.0.0
  'pod create --dns-opt': '4.0', // cmd/podman/common/netflags.go at v4.0.0 (the older spelling of --dns-option)
  'pod create --dns-option': '4.3', // cmd/podman/common/netflags.go at v4.3.0 (was --dns-opt)
  'pod create --dns-search': '4.0', // cmd/podman/common/netflags.go at v4.0.0
  'pod create --add-host': '4.0', // cmd/podman/common/netflags.go at v4.0.0
  'pod create --hostname': '4.0', // cmd/podman/common/create.go at v4.0.0
  'pod create --shm-size': '4.2', // cmd/podman/common/create.go at v4.2.0 (moved into the infra block; docs podman-pod-create.1.md at v4.2.0)
  'pod create --volume': '4.0', // cmd/podman/common/create.go at v4.0.0
  'pod create -v': '4.0', // cmd/podman/common/create.go at v4.0.0
  'pod start': '4.0', // cmd/podman/pods/start.go at v4.0.0
  'pod start --pod-id-file': '4.0', // cmd/podman/pods/start.go at v4.0.0
  'pod stop': '4.0', // cmd/podman/pods/stop.go at v4.0.0
  'pod stop --ignore': '4.0', // cmd/podman/pods/stop.go at v4.0.0
  'pod stop --time': '4.0', // cmd/podman/pods/stop.go at v4.0.0
  'pod stop --pod-id-file': '4.0', // cmd/podman/pods/stop.go at v4.0.0
  'pod rm': '4.0', // cmd/podman/pods/rm.go at v4.0.0
  'pod rm --ignore': '4.0', // cmd/podman/pods/rm.go at v4.0.0
  'pod rm --force': '4.0', // cmd/podman/pods/rm.go at v4.0.0
  'pod rm --pod-id-file': '4.0', // cmd/podman/pods/rm.go at v4.0.0

  // ---------------------------------------------------------------- kube play / down
  'kube play': '4.3', // cmd/podman/kube/play.go at v4.3.0 (4.0-4.2 only have `podman play kube`, cmd/podman/play/kube.go)
  'kube play --replace': '4.3', // cmd/podman/kube/play.go at v4.3.0 (play kube --replace since 4.0)
  'kube play --service-container': '4.3', // cmd/podman/kube/play.go at v4.3.0 (hidden; play kube since 4.2)
  'kube play --network': '4.3', // cmd/podman/kube/play.go at v4.3.0 (play kube since 4.0)
  'kube play --log-driver': '4.3', // cmd/podman/kube/play.go at v4.3.0 (play kube since 4.0)
  'kube play --log-opt': '4.3', // cmd/podman/kube/play.go at v4.3.0 (play kube since 4.0)
  'kube play --configmap': '4.3', // cmd/podman/kube/play.go at v4.3.0 (play kube since 4.0)
  'kube play --annotation': '4.3', // cmd/podman/kube/play.go at v4.3.0 (play kube since 4.1)
  'kube play --userns': '4.3', // cmd/podman/kube/play.go at v4.3.0 (play kube since 4.2)
  'kube play --publish': '4.4', // cmd/podman/kube/play.go at v4.4.0 (publishPortsFlagName)
  'kube play --service-exit-code-propagation': '4.6', // cmd/podman/kube/play.go at v4.6.0 (values all/any/none)
  'kube play KUBEFILE...': '5.7', // cmd/podman/kube/play.go at v5.7.0 Args: cobra.MinimumNArgs(1) (ExactArgs(1) before: one Yaml only)
  'kube down': '4.3', // cmd/podman/kube/down.go at v4.3.0 (4.0-4.2: `podman play kube --down`)
  'kube down --force': '4.4', // cmd/podman/kube/down.go at v4.4.0
  'kube down KUBEFILE...': '5.7', // cmd/podman/kube/down.go at v5.7.0 Args: cobra.MinimumNArgs(1)

  // ---------------------------------------------------------------- image pull
  'image pull': '4.0', // cmd/podman/images/pull.go at v4.0.0
  'image pull --all-tags': '4.0', // cmd/podman/images/pull.go at v4.0.0
  'image pull --arch': '4.0', // cmd/podman/images/pull.go at v4.0.0
  'image pull --authfile': '4.0', // cmd/podman/images/pull.go at v4.0.0
  'image pull --cert-dir': '4.0', // cmd/podman/images/pull.go at v4.0.0
  'image pull --creds': '4.0', // cmd/podman/images/pull.go at v4.0.0
  'image pull --os': '4.0', // cmd/podman/images/pull.go at v4.0.0
  'image pull --variant': '4.0', // cmd/podman/images/pull.go at v4.0.0
  'image pull --tls-verify': '4.0', // cmd/podman/images/pull.go at v4.0.0
  'image pull --decryption-key': '4.4', // cmd/podman/images/pull.go at v4.4.0
  'image pull --retry': '5.0', // cmd/podman/images/pull.go at v5.0.0
  'image pull --retry-delay': '5.0', // cmd/podman/images/pull.go at v5.0.0
  'image pull --policy': '5.6', // cmd/podman/images/pull.go at v5.6.0 (policyFlagName)

  // ---------------------------------------------------------------- build (flags mostly from buildah pkg/cli vendored)
  'build': '4.0', // cmd/podman/images/build.go at v4.0.0
  'build --pull': '4.0', // vendor/github.com/containers/buildah/pkg/cli/common.go at v4.0.0 (string: true/false/always/never; other values = missing)
  'build --pull=newer': '5.8', // cmd/podman/common/build.go at v5.8.0 (commit a19307f502); 4.0-5.7 accept it silently as "missing"
  'build --arch': '4.0', // vendor/github.com/containers/buildah/pkg/cli/common.go at v4.0.0
  'build --authfile': '4.0', // vendor/github.com/containers/buildah/pkg/cli/common.go at v4.0.0
  'build --ignorefile': '4.0', // vendor/github.com/containers/buildah/pkg/cli/common.go at v4.0.0
  'build --target': '4.0', // vendor/github.com/containers/buildah/pkg/cli/common.go at v4.0.0
  'build --variant': '4.0', // vendor/github.com/containers/buildah/pkg/cli/common.go at v4.0.0
  'build --retry': '4.3', // vendor/github.com/containers/buildah/pkg/cli/common.go at v4.3.0 (GetFromAndBudFlags)
  'build --retry-delay': '4.3', // vendor/github.com/containers/buildah/pkg/cli/common.go at v4.3.0
  'build --tls-verify': '4.0', // vendor/github.com/containers/buildah/pkg/cli/common.go at v4.0.0
  'build --force-rm': '4.0', // vendor/github.com/containers/buildah/pkg/cli/common.go at v4.0.0 (GetLayerFlags)
  'build --dns': '4.0', // vendor/github.com/containers/buildah/pkg/cli/common.go at v4.0.0
  'build --dns-option': '4.0', // vendor/github.com/containers/buildah/pkg/cli/common.go at v4.0.0 (buildah always used dns-option)
  'build --dns-search': '4.0', // vendor/github.com/containers/buildah/pkg/cli/common.go at v4.0.0
  'build --group-add': '4.4', // vendor/github.com/containers/buildah/pkg/cli/common.go at v4.4.0 (usernsFlags)
  'build --tag': '4.0', // vendor/github.com/containers/buildah/pkg/cli/common.go at v4.0.0 (StringArrayVarP "tag", "t")
  'build --build-arg': '4.0', // vendor/github.com/containers/buildah/pkg/cli/common.go at v4.0.0
  'build --env': '4.1', // vendor/github.com/containers/buildah/pkg/cli/common.go at v4.1.0 (docs podman-build.1.md at v4.1.0)
  'build --label': '4.0', // vendor/github.com/containers/buildah/pkg/cli/common.go at v4.0.0
  'build --annotation': '4.0', // vendor/github.com/containers/buildah/pkg/cli/common.go at v4.0.0
  'build --network': '4.0', // vendor/github.com/containers/buildah/pkg/cli/common.go at v4.0.0 (string(specs.NetworkNamespace))
  'build --secret': '4.0', // vendor/github.com/containers/buildah/pkg/cli/common.go at v4.0.0
  'build --volume': '4.0', // vendor/github.com/containers/buildah/pkg/cli/common.go at v4.0.0 (StringArrayVarP "volume", "v")
  'build -v': '4.0', // vendor/github.com/containers/buildah/pkg/cli/common.go at v4.0.0
  'build --file': '4.0', // vendor/github.com/containers/buildah/pkg/cli/common.go at v4.0.0 (StringSliceVarP "file", "f")

  // ---------------------------------------------------------------- image rm
  'image rm': '4.0', // cmd/podman/images/rm.go at v4.0.0
  'image rm --force': '4.0', // cmd/podman/images/rm.go at v4.0.0
  'image rm --ignore': '4.1', // cmd/podman/images/rm.go at v4.1.0

  // ---------------------------------------------------------------- artifact pull (local/ABI mode only)
  'artifact pull': '5.4', // cmd/podman/artifact/pull.go at v5.4.0 (cmd/podman/artifact/ first appears in v5.4.0)
  'artifact pull --authfile': '5.4', // cmd/podman/artifact/pull.go at v5.4.0
  'artifact pull --cert-dir': '5.4', // cmd/podman/artifact/pull.go at v5.4.0
  'artifact pull --creds': '5.4', // cmd/podman/artifact/pull.go at v5.4.0
  'artifact pull --decryption-key': '5.4', // cmd/podman/artifact/pull.go at v5.4.0 (hidden)
  'artifact pull --quiet': '5.4', // cmd/podman/artifact/pull.go at v5.4.0
  'artifact pull --retry': '5.4', // cmd/podman/artifact/pull.go at v5.4.0
  'artifact pull --retry-delay': '5.4', // cmd/podman/artifact/pull.go at v5.4.0
  'artifact pull --tls-verify': '5.4', // cmd/podman/artifact/pull.go at v5.4.0

  // ---------------------------------------------------------------- play kube (podman before 4.3)
  // 4.0-4.2 have no `kube play` / `kube down` but `podman play kube` / `podman play kube --down`
  // (cmd/podman/play/kube.go at v4.0.0…v4.2.0; the podman-kube@.service template of v4.2.0 runs exactly
  // `play kube --replace --service-container=true` and `play kube --down`), each taking a single YAML file
  // (cobra.ExactArgs(1)). A 'kube play'/'kube down' feature missing here has no `play kube` equivalent.
  'play kube': '4.0', // cmd/podman/play/kube.go at v4.0.0
  'play kube --replace': '4.0', // cmd/podman/play/kube.go at v4.0.0
  'play kube --down': '4.0', // cmd/podman/play/kube.go at v4.0.0 (downFlagName)
  'play kube --network': '4.0', // cmd/podman/play/kube.go at v4.0.0
  'play kube --log-driver': '4.0', // cmd/podman/play/kube.go at v4.0.0
  'play kube --log-opt': '4.0', // cmd/podman/play/kube.go at v4.0.0
  'play kube --configmap': '4.0', // cmd/podman/play/kube.go at v4.0.0 (local only)
  'play kube --annotation': '4.1', // cmd/podman/play/kube.go at v4.1.0 (annotationFlagName)
  'play kube --userns': '4.2', // cmd/podman/play/kube.go at v4.2.0 (usernsFlagName)
  'play kube --service-container': '4.2', // cmd/podman/play/kube.go at v4.2.0 (hidden, local only)

  // ---------------------------------------------------------------- values and units beyond a flag
  'pod stop --time=-1': '4.7', // cmd/podman/pods/stop.go: --time is a uint (UintVarP) until v4.6.0, an int from v4.7.0
};
