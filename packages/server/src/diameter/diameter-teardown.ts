import type { SessionOrigin } from '../switches/teardown/session-origins.ts';
import type { TeardownDriver, TeardownOutcome } from '../switches/teardown/teardown-registry.ts';
import { findAvp, unsigned32Of } from './avp-read.ts';
import type { LocalIdentity } from './base-answers.ts';
import { avp, type OutAvp } from './diameter-codec.ts';
import { applicationIds, commandCodes, messageFlags, resultCodes } from './diameter-constants.ts';
import type { PeerConnection } from './peer-connection.ts';
import type { PeerRequestOutcome } from './peer-requests.ts';

export const diameterTeardownLimits = {
  /**
   * How long an RAA or ASA may take. Twice this fits in the switches' teardown bound
   * (1.5 s), so a suspension's RAR and the ASR after a refused RAR both get their chance.
   */
  answerTimeoutMs: 700,
} as const;

/** Re-Auth-Request-Type (RFC 6733 8.12): the credit-control client only re-authorizes. */
const authorizeOnly = 0;

/** Why Tollgate ends a call; a suspension asks the client to re-authorize (RFC 4006 5.5). */
const reauthorizingReasons: ReadonlySet<string> = new Set(['account_suspended']);

/** The open connection of a peer by its Origin-Host, if this process has one. */
export type PeerLookup = (originHost: string) => PeerConnection | undefined;

interface Target {
  readonly sessionId: string;
  readonly host: string;
  readonly realm: string;
}

/** Where a Diameter session lives: the client's Origin-Host and Origin-Realm at its CCR-I. */
export function diameterCallRef(peer: { host: string; realm: string }) {
  return { peerHost: peer.host, peerRealm: peer.realm };
}

function targetOf(origin: SessionOrigin): Target | null {
  const { peerHost, peerRealm } = origin.callRef;
  if (typeof peerHost !== 'string' || typeof peerRealm !== 'string') return null;
  return { sessionId: origin.sessionId, host: peerHost, realm: peerRealm };
}

/** Session-Id, our identity and the client as destination: the head of an RAR and an ASR. */
function sessionRequestHead(local: LocalIdentity, target: Target): OutAvp[] {
  return [avp('Session-Id', target.sessionId), avp('Origin-Host', local.originHost),
    avp('Origin-Realm', local.originRealm), avp('Destination-Realm', target.realm),
    avp('Destination-Host', target.host),
    avp('Auth-Application-Id', applicationIds.creditControl)];
}

/**
 * An RAA or ASA as a teardown outcome. 2001: done (`success`). 5002: the client no longer has
 * the session, so there is nothing left to end. Anything else (5012, a 3xxx protocol error
 * such as 3001 from a client that does not serve the command) is a refusal, logged by the
 * caller; the money is settled already either way.
 */
function outcomeOf(outcome: PeerRequestOutcome, success: TeardownOutcome, what: string,
  host: string): TeardownOutcome {
  switch (outcome.kind) {
    case 'timeout':
      return { status: 'failed', code: 'teardown_timeout', detail: `no ${what} from ${host}` };
    case 'closed':
      return { status: 'failed', code: 'switch_unreachable',
        detail: `${host} disconnected before its ${what}` };
    case 'busy':
      return { status: 'failed', code: 'switch_unreachable',
        detail: `too many requests to ${host} await their answers` };
    case 'answered': {
      const result = findAvp(outcome.answer.avps, 'Result-Code');
      const code = result === undefined || result.data.length !== 4 ? null
        : unsigned32Of(result);
      if (code === resultCodes.success) return success;
      if (code === resultCodes.unknownSessionId) return { status: 'ended' };
      const error = (outcome.answer.flags & messageFlags.error) !== 0 ? ' (E bit)' : '';
      return { status: 'failed', code: 'switch_refused',
        detail: `${what} from ${host}: Result-Code ${code ?? 'missing'}${error}` };
    }
  }
}

/**
 * The Diameter teardown driver (switches/teardown): an Abort-Session-Request ends a killed
 * session (RFC 6733 8.5); a Re-Auth-Request makes the client send a CCR-U now
 * (RFC 6733 8.3, RFC 4006 5.5), for a suspension (its CCR-U is refused, the client ends the
 * call) and when the funds under a live session change. A suspension whose RAR the client
 * refuses (Kamailio's ims_charging serves neither command) falls back to an ASR.
 */
export function diameterTeardownDriver(options: {
  readonly local: LocalIdentity;
  readonly peerNamed: PeerLookup;
}): TeardownDriver & { reauthorize(origin: SessionOrigin): Promise<TeardownOutcome> } {
  const { local } = options;
  const send = async (origin: SessionOrigin, command: 'RAR' | 'ASR') => {
    const target = targetOf(origin);
    if (target === null) {
      return { status: 'failed', code: 'call_ref_missing',
        detail: `session ${origin.sessionId} has no Diameter peer` } as const;
    }
    const peer = options.peerNamed(target.host);
    if (peer === undefined) {
      return { status: 'failed', code: 'switch_unreachable',
        detail: `${target.host} is not connected to this process` } as const;
    }
    const isRar = command === 'RAR';
    const outcome = await peer.request({ applicationId: applicationIds.creditControl,
      commandCode: isRar ? commandCodes.reAuth : commandCodes.abortSession, proxiable: true,
      timeoutMs: diameterTeardownLimits.answerTimeoutMs,
      avps: [...sessionRequestHead(local, target),
        ...(isRar ? [avp('Re-Auth-Request-Type', authorizeOnly)] : [])] });
    return outcomeOf(outcome, isRar ? { status: 'next_request' } : { status: 'ended' },
      isRar ? 'RAA' : 'ASA', target.host);
  };
  return {
    reauthorize: (origin) => send(origin, 'RAR'),
    async endCall(origin, reason) {
      if (reauthorizingReasons.has(reason)) {
        const asked = await send(origin, 'RAR');
        if (asked.status !== 'failed' || asked.code !== 'switch_refused') return asked;
      }
      return send(origin, 'ASR');
    },
  };
}
