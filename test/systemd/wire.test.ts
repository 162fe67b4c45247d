import test from 'ava';
import type * as DBus from 'dbus-next';
import { marshallMessage } from 'dbus-next/lib/marshall-compat.js';
import { Message } from 'dbus-next/lib/message-type.js';
import { marshallSimple } from '../../src/systemd/wire.js';

const SYSTEMD = { destination: 'org.freedesktop.systemd1', path: '/org/freedesktop/systemd1', interface: 'org.freedesktop.systemd1.Manager' };

/** What dbus-next writes for the message (it rewrites the body it is given, so it gets a copy). */
function dbusNextBytes(msg: DBus.Message): Buffer {
  const copy = new Message({ ...msg, body: structuredClone(msg.body) } as DBus.MessageLike);
  copy.serial = msg.serial;
  return marshallMessage(copy)[0];
}

function message(fields: DBus.MessageLike, serial = 7): DBus.Message {
  const msg = new Message(fields);
  msg.serial = serial;
  return msg;
}

// Names of every length modulo 8, and non-ASCII ones: each string's padding differs.
const NAMES = ['a', 'ab', 'abc.service', 'abcd.timer', 'c000-checkpoint.timer', 'café.service', '日本.service', 'x'.repeat(300)];

test('calls, replies and signals with strings, numbers, booleans and lists of strings are written byte for byte as dbus-next writes them', (t) => {
  const messages = [
    message({ destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus', member: 'Hello' }, 1),
    message({ ...SYSTEMD, path: '/org/freedesktop/systemd1/unit/web_2eservice', interface: 'org.freedesktop.DBus.Properties', member: 'Get', signature: 'ss', body: ['org.freedesktop.systemd1.Unit', 'ActiveEnterTimestamp'] }),
    message({ ...SYSTEMD, member: 'ListUnitsByNames', signature: 'as', body: [NAMES] }, 123456),
    message({ ...SYSTEMD, member: 'ListUnitsByPatterns', signature: 'asas', body: [[], NAMES] }),
    message({ ...SYSTEMD, member: 'ListUnitsByPatterns', signature: 'asas', body: [['active'], []] }),
    message({ destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus', member: 'RequestName', signature: 'su', body: ['io.berth.Manager1', 4] }),
    message({ destination: 'io.berth.Manager1', path: '/io/berth/Manager1', interface: 'io.berth.Manager1', member: 'GetStatus', signature: 'as', body: [[]], flags: 2 }),
    message({ type: 4, path: '/x', interface: 'org.example.S', member: 'Ping', signature: 'subyog', body: ['é', 0xffffffff, true, 255, '/a/b', 'a{sv}'] }),
    message({ type: 3, errorName: 'org.example.Error.No', replySerial: 41 as unknown as string, destination: ':1.5', signature: 's', body: ['no'] }),
    message({ type: 2, replySerial: 9 as unknown as string, destination: ':1.5' }),
  ];
  for (const [i, name] of NAMES.entries()) messages.push(message({ ...SYSTEMD, member: 'GetUnit', signature: 's', body: [name] }, 1000 + i));
  for (const msg of messages) {
    const mine = marshallSimple(msg);
    t.truthy(mine, `${msg.member ?? msg.type} ${msg.signature}`);
    t.deepEqual(mine, dbusNextBytes(msg), `${msg.member ?? msg.type} ${msg.signature}`);
  }
});

test('variants, structs, dictionaries and other arrays are left to dbus-next', (t) => {
  for (const signature of ['v', 'a{sv}', '(ss)', 'at', 'x', 'sv', 'aas', 'ao']) {
    t.is(marshallSimple(message({ ...SYSTEMD, member: 'X', signature, body: signature.split('').map(() => '') })), undefined, signature);
  }
});
