/**
 * What the switch integrations log through: pino's (obj, msg) form, so the server's logger
 * fits as is. Every entry carries a stable `code` field, so a dropped packet or a failed
 * teardown can be counted and searched for.
 */
export interface SwitchLog {
  info(fields: { code: string } & Record<string, unknown>, message: string): void;
  warn(fields: { code: string } & Record<string, unknown>, message: string): void;
}

export const silentSwitchLog: SwitchLog = { info: () => {}, warn: () => {} };

/** A log that keeps its entries: tests assert on the codes. */
export function recordingSwitchLog(): SwitchLog & {
  readonly entries: Array<{ level: string; code: string; message: string }>;
} {
  const entries: Array<{ level: string; code: string; message: string }> = [];
  return {
    entries,
    info: (fields, message) => entries.push({ level: 'info', code: fields.code, message }),
    warn: (fields, message) => entries.push({ level: 'warn', code: fields.code, message }),
  };
}

/** A log whose target is set once the server's logger exists (after openServices). */
export function forwardingSwitchLog(): SwitchLog & { use(target: SwitchLog): void } {
  let target: SwitchLog = silentSwitchLog;
  return {
    use: (next) => {
      target = next;
    },
    info: (fields, message) => target.info(fields, message),
    warn: (fields, message) => target.warn(fields, message),
  };
}
