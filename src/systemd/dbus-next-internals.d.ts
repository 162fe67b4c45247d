/**
 * Typings for the parts of dbus-next 0.10.2 that berth uses below its documented API (src/systemd/
 * connection.ts replaces its connection.js; these modules are what that file wires together).
 */
declare module 'dbus-next/lib/marshall-compat.js' {
  import type { Message, MessageLike } from 'dbus-next';
  export function marshallMessage(msg: Message): [Buffer, unknown[]];
  export function messageToJsFmt(raw: unknown): MessageLike;
}

declare module 'dbus-next/lib/message.js' {
  export function unmarshalMessages(stream: import('node:net').Socket, onMessage: (raw: unknown) => void, opts: object): void;
}

declare module 'dbus-next/lib/bus.js' {
  import type { MessageBus } from 'dbus-next';
  const MessageBusClass: new (connection: unknown) => MessageBus;
  export default MessageBusClass;
}
