/**
 * dbus-next's public API (interfaces to export, Variant, DBusError, Message), for code that serves objects
 * on the bus (the agent) or builds replies (tests' fake systemd). Modules that import this one load all of
 * dbus-next; a client (bus.ts, and so `berth status`) does without it.
 */
import * as DBus from 'dbus-next';

export function dbusNext(): typeof DBus {
  return DBus;
}
