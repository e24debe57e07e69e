import type { KillAnswer } from '@tollgate/core';

/** The integrations that can carry a call; each has a teardown driver (teardown-registry.ts). */
export const integrationNames = ['http', 'radius', 'freeswitch', 'kamailio',
  'diameter'] as const;
export type IntegrationName = (typeof integrationNames)[number];

/**
 * Where a session's call lives. `callRef` is what the integration needs to end the call
 * (an ESL channel uuid, a dialog's h_entry/h_id, a NAS address and Acct-Session-Id, a Diameter
 * client's Origin-Host and Origin-Realm); it is stored as JSON and read back only by the
 * integration that wrote it.
 */
export interface SessionOrigin {
  readonly sessionId: string;
  readonly integration: IntegrationName;
  readonly callRef: Readonly<Record<string, string | number>>;
  /** The last request number the front end sent to charging for this session. */
  readonly requestNumber: number;
  readonly killedAtMs: number | null;
  /** The kill's settlement, answered to the switch's reports that arrive after it. */
  readonly killAnswer: KillAnswer | null;
  readonly createdAtMs: number;
}

/** The switches' storage port: one small table, written outside the charging transaction. */
export interface SessionOriginStore {
  /** Records where a call lives; a second record of the same session changes nothing. */
  record(origin: {
    sessionId: string;
    integration: IntegrationName;
    callRef: Readonly<Record<string, string | number>>;
    nowMs: number;
  }): Promise<void>;
  find(sessionId: string): Promise<SessionOrigin | null>;
  /** Replaces how to reach the call (Kamailio learns its dialog ids at answer). */
  updateCallRef(sessionId: string, callRef: Readonly<Record<string, string | number>>,
    nowMs: number): Promise<void>;
  /** Moves the front end's request counter forward (never back). */
  advanceRequestNumber(sessionId: string, requestNumber: number, nowMs: number): Promise<void>;
  /** Stores a kill's settlement; inserts an `http` origin for sessions that had none. */
  recordKill(sessionId: string, answer: KillAnswer, nowMs: number): Promise<void>;
  /** The call's session ended (terminated by its switch's report, or moved to another try). */
  markEnded(sessionId: string, nowMs: number): Promise<void>;
  /**
   * Origins of one integration not marked ended nor killed, created at or after `sinceMs`, in
   * session id order after `afterSessionId`: the calls an agent owned when it went away.
   */
  listUnended(query: { integration: IntegrationName; sinceMs: number; afterSessionId: string;
    limit: number }): Promise<SessionOrigin[]>;
  /** Forgets origins created before `beforeMs` (their calls ended long ago); at most `limit`. */
  forgetBefore(beforeMs: number, limit: number): Promise<number>;
}
