/**
 * Where io.berth.Manager1 is on the bus: its name, object path and interface. Its clients (`berth status`)
 * need only these, not the interface's code (interface.ts, which loads all of dbus-next).
 */
export const AGENT_NAME = 'io.berth.Manager1';
export const AGENT_PATH = '/io/berth/Manager1';
export const AGENT_IFACE = 'io.berth.Manager1';
