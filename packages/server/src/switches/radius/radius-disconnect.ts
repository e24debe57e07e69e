import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import type { SessionOrigin } from '../teardown/session-origins.ts';
import type { TeardownDriver, TeardownOutcome } from '../teardown/teardown-registry.ts';
import { signRequest, verifyReply } from './radius-authenticators.ts';
import type { RadiusClient } from './radius-clients.ts';
import {
  encodeRadius,
  integerAttribute,
  radiusAttributes,
  radiusCodes,
  textAttribute,
  type RadiusAttribute,
} from './radius-packet.ts';

export const disconnectLimits = {
  /** Wait per try before sending the request again (RFC 5176 is over UDP). */
  tryTimeoutMs: 400,
  tries: 3,
  /** Identifiers are one byte: at most 256 requests in flight. */
  inFlightMax: 256,
} as const;

interface Pending {
  readonly authenticator: Buffer;
  readonly secret: Buffer;
  readonly ackCode: number;
  readonly settle: (outcome: TeardownOutcome) => void;
}

/** RFC 5176 requests to a NAS: ending a call, and extending its Session-Timeout. */
export interface RadiusDynamicAuthorization extends TeardownDriver {
  /**
   * CoA-Request: the call may last `sessionTimeoutSeconds` in all, counted from its start
   * (RFC 2865's Session-Timeout, replaced). A CoA-ACK is `ended` (the request did what it
   * asked); a NAK or silence is a failure, and the call then ends at the Session-Timeout it had.
   */
  extendCall(origin: SessionOrigin, sessionTimeoutSeconds: number): Promise<TeardownOutcome>;
  close(): Promise<void>;
}

/**
 * Dynamic authorization (RFC 5176) towards the NAS's port (3799): a Disconnect-Request ends a
 * call (the teardown driver), a CoA-Request extends its Session-Timeout (long calls). Both
 * name the call by User-Name and Acct-Session-Id and are signed with the NAS's secret (the
 * Request Authenticator; no Message-Authenticator, whose form for these codes NASes disagree
 * on). A Disconnect-ACK is `ended`; a NAK (the NAS does not know the call, or does not do
 * RFC 5176) is `switch_refused`; silence after the retries is `switch_unreachable`. Either way
 * the call still ends at its Session-Timeout, which was the grant.
 */
export async function startRadiusDisconnect(options: {
  clients: ReadonlyMap<string, RadiusClient>;
  port: number;
}): Promise<RadiusDynamicAuthorization> {
  const socket: Socket = createSocket('udp4');
  const pending = new Map<number, Pending>();
  let nextIdentifier = 0;
  socket.on('message', (bytes) => {
    if (bytes.length < 20) return;
    const waiting = pending.get(bytes[1]!);
    if (waiting === undefined || !verifyReply(bytes, waiting.authenticator, waiting.secret)) {
      return;
    }
    pending.delete(bytes[1]!);
    waiting.settle(bytes[0] === waiting.ackCode ? { status: 'ended' }
      : { status: 'failed', code: 'switch_refused', detail: `NAS answered code ${bytes[0]}` });
  });
  socket.on('error', () => {});
  await new Promise<void>((resolve) => socket.bind(0, resolve));

  const send = (origin: SessionOrigin, code: number, ackCode: number,
    extra: readonly RadiusAttribute[]): Promise<TeardownOutcome> => {
    const nas = String(origin.callRef['nas'] ?? '');
    const client = options.clients.get(nas);
    const acctSessionId = origin.callRef['acctSessionId'];
    if (client === undefined || acctSessionId === undefined) {
      return Promise.resolve({ status: 'failed', code: 'call_ref_missing',
        detail: `no RADIUS client ${nas} or no Acct-Session-Id` });
    }
    if (pending.size >= disconnectLimits.inFlightMax) {
      return Promise.resolve({ status: 'failed', code: 'switch_unreachable',
        detail: 'too many RFC 5176 requests in flight' });
    }
    let identifier = nextIdentifier;
    while (pending.has(identifier)) identifier = (identifier + 1) % 256;
    nextIdentifier = (identifier + 1) % 256;
    const request = signRequest(encodeRadius({ code, identifier,
      authenticator: randomBytes(16), attributes: [
        textAttribute(radiusAttributes.userName, String(origin.callRef['userName'] ?? '')),
        textAttribute(radiusAttributes.acctSessionId, String(acctSessionId)), ...extra] }),
    client.secret);
    return new Promise<TeardownOutcome>((resolve) => {
      let tries = 0;
      let timer: NodeJS.Timeout | undefined;
      const sendOnce = () => {
        if (tries >= disconnectLimits.tries) {
          pending.delete(identifier);
          resolve({ status: 'failed', code: 'switch_unreachable',
            detail: `no answer to code ${code} from ${nas}:${options.port}` });
          return;
        }
        tries += 1;
        socket.send(request, options.port, nas);
        timer = setTimeout(sendOnce, disconnectLimits.tryTimeoutMs);
      };
      pending.set(identifier, { authenticator: request.subarray(4, 20), secret: client.secret,
        ackCode, settle: (outcome) => {
          clearTimeout(timer);
          resolve(outcome);
        } });
      sendOnce();
    });
  };
  return {
    endCall: (origin) => send(origin, radiusCodes.disconnectRequest, radiusCodes.disconnectAck,
      []),
    extendCall: (origin, sessionTimeoutSeconds) => send(origin, radiusCodes.coaRequest,
      radiusCodes.coaAck, [integerAttribute(radiusAttributes.sessionTimeout,
        sessionTimeoutSeconds)]),
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
