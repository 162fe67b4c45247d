// The host tests: the part of `npm test` that `npm run test:unit` leaves out, because each file needs root
// or a service that test/host/setup.sh installs. Every other test file is pure and runs in test:unit
// (test/ava.unit.config.mjs). Both take package.json's "ava" settings, which `npx ava FILE` uses.
import { readFileSync } from 'node:fs';

export const HOST_TESTS = [
  'dist/test/e2e/**/*.test.js', // a throwaway systemd (systemd-nspawn), podman, CRIU
  'dist/test/host/**/*.test.js', // that throwaway systemd itself
  'dist/test/doctor/doctor-host.test.js', // berth doctor inside it
  'dist/test/unit/quote.systemd.test.js', // systemd inside it runs the ExecStart= lines berth writes
  // A private dbus-daemon (most with a fake systemd on it):
  'dist/test/systemd/bus.test.js',
  'dist/test/systemd/reconnecting-bus.test.js',
  'dist/test/systemd/manager.test.js',
  'dist/test/systemd/follower.test.js',
  'dist/test/agent/agent.test.js',
  'dist/test/agent/agent-process.test.js', // for a minute
  'dist/test/cli/status-command.test.js',
  'dist/test/cli/status-watch.test.js',
  'dist/test/checkpoint/crash.test.js', // strace (ptrace) kills commits at each step
  'dist/test/checkpoint/disk-full.test.js', // mounts a small tmpfs
  'dist/test/packaging/rpm.test.js', // rpmbuild, rpmlint, rpm2cpio
  'dist/test/import/inspect-podman.test.js', // containers made by the host's podman
];

export default {
  ...JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).ava,
  files: HOST_TESTS,
};
