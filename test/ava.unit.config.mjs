// `npm run test:unit`: every test file that test/ava.host.config.mjs does not list. They need no root and
// no network, only tools test/host/setup.sh installs (systemd-analyze, groff, podman 5's quadlet).
import host, { HOST_TESTS } from './ava.host.config.mjs';

export default {
  ...host,
  files: ['dist/test/**/*.test.js', ...HOST_TESTS.map((glob) => `!${glob}`)],
};
