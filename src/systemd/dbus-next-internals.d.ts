/**
 * Typings for the parts of dbus-next 0.10.2 that berth uses below its documented API (src/systemd/
 * connection.ts replaces its connection.js; bus.ts is a client made of its message parts, and adds its
 * MessageBus only on a connection that serves).
 */
declare module 'dbus-next/lib/message-type.js' {
  import type { Message as DBusMessage, MessageLike } from 'dbus-next';
  // dbus-next's own typings give newError a string where it takes the call being answered.
  export const Message: {
    new (msg: MessageLike): DBusMessage;
    newError(call: DBusMessage, errorName: string, errorText?: string): DBusMessage;
    newSignal(path: string, iface: string, name: string, signature?: string, body?: unknown[]): DBusMessage;
  };
}

declare module 'dbus-next/lib/constants.js' {
  export { MessageFlag, MessageType } from 'dbus-next';
}

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
