/**
 * The transport under a Bus (bus.ts), and under dbus-next's MessageBus on a connection that serves, in place
 * of dbus-next's own connection.js: the same interface (an EventEmitter with `stream`, `message(msg)`,
 * `end()`, emitting `message`, `error` and `end`), but the authentication is pipelined as sd-bus does it: "\0AUTH EXTERNAL <uid>\r\nBEGIN\r\n",
 * then the first messages (Hello, and whatever the caller sends at once, e.g. RequestName), all written
 * before the bus has answered anything. dbus-next waits for each step instead (two round trips).
 *
 * Why it matters: when the bus daemon restarts, the agent connects while the daemon is still down (the
 * socket is systemd's), and with everything already in the socket it owns its name again as soon as the new
 * daemon reads it: clients find it back at once (agent/bus-name.ts).
 *
 * Only what berth uses: unix:path= and unix:abstract= addresses, EXTERNAL authentication, no fd passing.
 */
import { EventEmitter } from 'node:events';
import net from 'node:net';
import type * as DBus from 'dbus-next';
import { marshallMessage, messageToJsFmt } from 'dbus-next/lib/marshall-compat.js';
import { unmarshalMessages } from 'dbus-next/lib/message.js';
import { Message } from 'dbus-next/lib/message-type.js';
import { UsageError } from '../errors.js';
import { marshallSimple } from './wire.js';

/** The socket a D-Bus address names: unix:path=/x or unix:abstract=x (the first usable entry). */
export function socketOf(address: string): { path: string } | undefined {
  for (const entry of address.split(';')) {
    const m = /^unix:(.*)$/.exec(entry.trim());
    if (!m) continue;
    const params = new Map(m[1]!.split(',').map((kv) => {
      const i = kv.indexOf('=');
      return [kv.slice(0, i), decodeURIComponent(kv.slice(i + 1))] as [string, string];
    }));
    if (params.get('path')) return { path: params.get('path')! };
    if (params.get('abstract')) return { path: '\0' + params.get('abstract')! };
  }
  return undefined;
}

export class PipelinedConnection extends EventEmitter {
  readonly stream: net.Socket;
  #open = true;

  constructor(address: string) {
    super();
    const socket = socketOf(address);
    if (!socket) throw new UsageError(`unsupported D-Bus address ${address} (berth speaks unix:path= and unix:abstract=)`);
    this.stream = net.createConnection(socket.path);
    this.stream.setNoDelay?.(true);
    this.stream.on('error', (err) => this.emit('error', err));
    this.stream.on('close', () => this.#closed());
    this.stream.on('end', () => this.#closed());

    const uid = String(process.getuid?.() ?? 0);
    this.stream.write(`\0AUTH EXTERNAL ${Buffer.from(uid, 'ascii').toString('hex')}\r\nBEGIN\r\n`);

    // The server's answer to AUTH ("OK <guid>"), then messages.
    const line: number[] = [];
    const onAuth = (): void => {
      for (;;) {
        const b = this.stream.read(1) as Buffer | null;
        if (!b) return;
        if (b[0] !== 0x0a) {
          line.push(b[0]!);
          if (line.length > 4096) return this.#fail(new Error('the bus sent an overlong authentication line'));
          continue;
        }
        this.stream.removeListener('readable', onAuth);
        const text = Buffer.from(line).toString('ascii').trim();
        if (!text.startsWith('OK ')) return this.#fail(new Error(`the bus refused authentication: ${text}`));
        unmarshalMessages(
          this.stream,
          (raw) => {
            let msg: DBus.Message;
            try {
              msg = new Message(messageToJsFmt(raw));
            } catch (err) {
              this.emit('error', err);
              return;
            }
            this.emit('message', msg);
          },
          {},
        );
        // Messages may already sit behind the OK line, and a 'readable' listener added now is not told about
        // them (Node resets its readable-listening state only on the next tick): hand them over at once.
        if (this.stream.readableLength > 0) this.stream.emit('readable');
        return;
      }
    };
    this.stream.on('readable', onAuth);
  }

  /**
   * Writes a message at once (before the handshake completes, too: it is queued behind BEGIN). Messages
   * written in the same tick go out together, in one system call.
   */
  message(msg: DBus.Message): void {
    if (!this.#open || !this.stream.writable) {
      this.emit('error', new Error('Cannot send message, stream is closed'));
      return;
    }
    if (!this.stream.writableCorked) {
      this.stream.cork();
      process.nextTick(() => this.stream.uncork());
    }
    this.stream.write(marshallSimple(msg) ?? marshallMessage(msg)[0]);
  }

  end(): this {
    this.stream.end();
    return this;
  }

  #fail(err: Error): void {
    this.emit('error', err);
    this.stream.destroy();
  }

  #closed(): void {
    if (!this.#open) return;
    this.#open = false;
    this.emit('end');
  }
}
