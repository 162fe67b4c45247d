/**
 * systemd settings people put into a Quadlet section by mistake (CPUQuota= in [Container] is common in
 * real files), so that the unknown-key error can say where they belong.
 */
const SERVICE = [
  'CPUQuota', 'CPUQuotaPeriodSec', 'CPUShares', 'CPUWeight', 'StartupCPUWeight', 'CPUAccounting', 'AllowedCPUs',
  'AllowedMemoryNodes', 'CPUAffinity', 'MemoryAccounting', 'MemoryMin', 'MemoryLow', 'MemoryHigh', 'MemoryMax',
  'MemorySwapMax', 'MemoryLimit', 'IOAccounting', 'IOWeight', 'IODeviceWeight', 'IOReadBandwidthMax',
  'IOWriteBandwidthMax', 'TasksAccounting', 'TasksMax', 'DeviceAllow', 'DevicePolicy', 'Slice', 'Delegate',
  'LimitCPU', 'LimitFSIZE', 'LimitDATA', 'LimitSTACK', 'LimitCORE', 'LimitRSS', 'LimitNOFILE', 'LimitAS',
  'LimitNPROC', 'LimitMEMLOCK', 'LimitLOCKS', 'LimitSIGPENDING', 'LimitMSGQUEUE', 'LimitNICE', 'LimitRTPRIO',
  'Nice', 'OOMScoreAdjust', 'OOMPolicy', 'Restart', 'RestartSec', 'RestartPreventExitStatus', 'SuccessExitStatus',
  'TimeoutSec', 'TimeoutStartSec', 'TimeoutStopSec', 'TimeoutAbortSec', 'RuntimeMaxSec', 'WatchdogSec', 'Type',
  'RemainAfterExit', 'ExecStart', 'ExecStartPre', 'ExecStartPost', 'ExecCondition', 'ExecReload', 'ExecStop',
  'ExecStopPost', 'KillMode', 'KillSignal', 'SyslogIdentifier', 'StandardOutput', 'StandardError', 'StandardInput',
  'WorkingDirectory', 'PrivateTmp', 'ProtectSystem', 'ProtectHome', 'NotifyAccess', 'PIDFile', 'EnvironmentFile',
];
const UNIT = [
  'Description', 'Documentation', 'After', 'Before', 'Wants', 'Requires', 'Requisite', 'BindsTo', 'PartOf',
  'Upholds', 'Conflicts', 'OnFailure', 'OnSuccess', 'StartLimitBurst', 'StartLimitIntervalSec', 'ConditionPathExists',
  'AssertPathExists', 'RequiresMountsFor', 'DefaultDependencies',
];
const INSTALL = ['WantedBy', 'RequiredBy', 'UpheldBy', 'Alias', 'Also', 'DefaultInstance'];

const HOME = new Map<string, string>([
  ...SERVICE.map((k) => [k, 'Service'] as const),
  ...UNIT.map((k) => [k, 'Unit'] as const),
  ...INSTALL.map((k) => [k, 'Install'] as const),
]);

/** The systemd section a key belongs in, when it is a systemd setting. */
export function systemdSectionOf(key: string): string | undefined {
  return HOME.get(key);
}
