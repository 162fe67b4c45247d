import test from 'ava';
import { formatDefinitions } from '../../src/cli/list-table.js';
import { NOT_GENERATED, NOT_LOADED, type DefinitionRow } from '../../src/definitions/listing.js';

test("the list is a table of name, kind, unit, state and file, with the reason a definition is not loaded, or that podman's Quadlet makes its unit too, under its row", (t) => {
  const row = (name: string, over: Partial<DefinitionRow>): DefinitionRow => ({
    name, kind: 'container', source: `/etc/berth/definitions/${name}`, unit: name.replace(/\.\w+$/, '.service'), state: 'active', load: 'loaded', sub: 'running', reason: null, problems: [], quadlet: null, ...over,
  });
  const table = formatDefinitions([
    row('bad.container', { state: NOT_LOADED, load: 'not-found', sub: 'dead', reason: '/etc/berth/definitions/bad.container:3:1: PublishPorts: unknown key in [Container]' }),
    row('new.volume', { kind: 'volume', unit: 'new-volume.service', state: NOT_LOADED, load: 'not-found', sub: 'dead', reason: NOT_GENERATED }),
    row('tpl@.container', { unit: null, state: 'template', load: null, sub: null }),
    row('web.container', { quadlet: '/etc/containers/systemd/web.container' }),
  ]);
  t.is(
    table,
    [
      'NAME            KIND       UNIT                STATE             SOURCE',
      'bad.container   container  bad.service         not loaded        /etc/berth/definitions/bad.container',
      '  /etc/berth/definitions/bad.container:3:1: PublishPorts: unknown key in [Container]',
      'new.volume      volume     new-volume.service  not loaded        /etc/berth/definitions/new.volume',
      `  ${NOT_GENERATED}`,
      'tpl@.container  container  -                   template          /etc/berth/definitions/tpl@.container',
      'web.container   container  web.service         active (running)  /etc/berth/definitions/web.container',
      "  podman's Quadlet also makes web.service from /etc/containers/systemd/web.container: keep one of the two",
      '',
    ].join('\n'),
  );
});
