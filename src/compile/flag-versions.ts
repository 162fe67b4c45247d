export const FLAG_SINCE: Readonly<Record<string, string>> = { 'run --sdnotify=healthy': '5.0', 'global --module': '4.7', 'run --health-on-failure': '4.3' };
