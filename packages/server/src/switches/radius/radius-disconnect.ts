import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import type { SessionOrigin } from '../teardown/session-origins.ts';
import type { TeardownDriver, TeardownOutcome } from '../teardown/teardown-registry.ts';
import { signRequest, verifyReply } from './radius-authenticators.ts';
import type { RadiusClient } from './radius-clients.ts';
import { encodeRadius, radiusAttributes, radiusCodes, textAttribute } from './radius-packet.ts';

export const disconnectLimits = {
  /** Wait per try before sending the Disconnect-Request again (RFC 5176 is over UDP). */
  tryTimeoutMs: 400,
  tries: 3,
  /** Identifiers are one byte: at most 256 requests in flight. */
  inFlightMax: 256,
} as const;

interface Pending {
  readonly authenticator: Buffer;
  readonly secret: Buffer;
  readonly settle: (outcome: TeardownOutcome) => void;
}

/**
 * Ends a RADIUS call with a Disconnect-Request (RFC 5176) to the NAS's dynamic-authorization
 * port, naming the call by User-Name and Acct-Session-Id, signed with the NAS's secret (the
 * Request Authenticator; no Message-Authenticator, whose form for this code NASes disagree
 * on). A Disconnect-ACK is `ended`; a NAK (the NAS does not know the call, or does not do RFC 5176)
 * is `switch_refused`; silence after the retries is `switch_unreachable`. Either way the call
 * still ends at its Session-Timeout, which was the grant.
 */
export async function startRadiusDisconnect(options: {
  clients: ReadonlyMap<string, RadiusClient>;
  port: number;
}): Promise<TeardownDriver & { close(): Promise<void> }> {
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
    waiting.settle(bytes[0] === radiusCodes.disconnectAck ? { status: 'ended' }
      : { status: 'failed', code: 'switch_refused', detail: `NAS answered code ${bytes[0]}` });
  });
  socket.on('error', () => {});
  await new Promise<void>((resolve) => socket.bind(0, resolve));

  const endCall = (origin: SessionOrigin): Promise<TeardownOutcome> => {
    const nas = String(origin.callRef['nas'] ?? '');
    const client = options.clients.get(nas);
    const acctSessionId = origin.callRef['acctSessionId'];
    if (client === undefined || acctSessionId === undefined) {
      return Promise.resolve({ status: 'failed', code: 'call_ref_missing',
        detail: `no RADIUS client ${nas} or no Acct-Session-Id` });
    }
    if (pending.size >= disconnectLimits.inFlightMax) {
      return Promise.resolve({ status: 'failed', code: 'switch_unreachable',
        detail: 'too many Disconnect-Requests in flight' });
    }
    let identifier = nextIdentifier;
    while (pending.has(identifier)) identifier = (identifier + 1) % 256;
    nextIdentifier = (identifier + 1) % 256;
    const request = signRequest(encodeRadius({ code: radiusCodes.disconnectRequest, identifier,
      authenticator: randomBytes(16), attributes: [
        textAttribute(radiusAttributes.userName, String(origin.callRef['userName'] ?? '')),
        textAttribute(radiusAttributes.acctSessionId, String(acctSessionId))] }),
    client.secret);
    return new Promise<TeardownOutcome>((resolve) => {
      let tries = 0;
      let timer: NodeJS.Timeout | undefined;
      const send = () => {
        if (tries >= disconnectLimits.tries) {
          pending.delete(identifier);
          resolve({ status: 'failed', code: 'switch_unreachable',
            detail: `no Disconnect-ACK from ${nas}:${options.port}` });
          return;
        }
        tries += 1;
        socket.send(request, options.port, nas);
        timer = setTimeout(send, disconnectLimits.tryTimeoutMs);
      };
      pending.set(identifier, { authenticator: request.subarray(4, 20), secret: client.secret,
        settle: (outcome) => {
          clearTimeout(timer);
          resolve(outcome);
        } });
      send();
    });
  };
  return {
    endCall,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
