import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import type { SwitchFront } from '../switch-front.ts';
import { SessionQueue } from '../switch-front.ts';
import {
  hasMessageAuthenticator,
  signReply,
  verifyAccountingAuthenticator,
  verifyMessageAuthenticator,
} from './radius-authenticators.ts';
import type { RadiusClient } from './radius-clients.ts';
import { RadiusDuplicates } from './radius-duplicates.ts';
import type { RadiusLongCalls } from './radius-renewal.ts';
import {
  handleAccessRequest,
  handleAccountingRequest,
  type RadiusOutcome,
} from './radius-handler.ts';
import {
  decodeRadius,
  encodeRadius,
  radiusAttributes,
  radiusCodes,
  type RadiusPacket,
} from './radius-packet.ts';

export interface RadiusServerOptions {
  readonly host: string;
  /** Access-Request port (1812); 0 picks a free one. */
  readonly authPort: number;
  /** Accounting-Request port (1813); 0 picks a free one. */
  readonly acctPort: number;
  readonly clients: ReadonlyMap<string, RadiusClient>;
  /** Drop Access-Requests without a Message-Authenticator (BlastRADIUS hardening). */
  readonly requireMessageAuthenticator: boolean;
  readonly front: SwitchFront;
  /** Interim interval and CoA/Disconnect towards the NAS; absent: one grant per call. */
  readonly longCalls?: RadiusLongCalls;
}

export interface RadiusServer {
  readonly authPort: number;
  readonly acctPort: number;
  close(): Promise<void>;
}

/** Checks who sent the packet and that it is intact; a failure is a drop code. */
function integrityProblem(
  packet: RadiusPacket,
  client: RadiusClient,
  requireMessageAuthenticator: boolean,
): string | null {
  const signed = hasMessageAuthenticator(packet);
  if (signed && !verifyMessageAuthenticator(packet, client.secret)) {
    return 'bad_message_authenticator';
  }
  if (packet.code === radiusCodes.accessRequest) {
    return !signed && requireMessageAuthenticator ? 'missing_message_authenticator' : null;
  }
  if (packet.code === radiusCodes.accountingRequest) {
    return verifyAccountingAuthenticator(packet, client.secret) ? null
      : 'bad_request_authenticator';
  }
  return 'unsupported_code';
}

function encodeReply(packet: RadiusPacket, outcome: RadiusOutcome, client: RadiusClient) {
  if (outcome.kind === 'drop') return null;
  // Access replies carry a Message-Authenticator (RFC 3579; NASes hardened against
  // BlastRADIUS require it); its value is filled in by signReply.
  const signed = outcome.code === radiusCodes.accessAccept ||
    outcome.code === radiusCodes.accessReject;
  const attributes = signed ? [...outcome.attributes,
    { type: radiusAttributes.messageAuthenticator, value: Buffer.alloc(16) }]
    : outcome.attributes;
  const reply = encodeRadius({ code: outcome.code, identifier: packet.identifier,
    authenticator: packet.authenticator, attributes });
  return signReply(reply, packet.authenticator, client.secret);
}

/**
 * The RADIUS server: one UDP socket for access and one for accounting (either kind of
 * request is understood on both). Each datagram is checked (known client, decodable, intact)
 * before anything is charged; whatever fails is dropped and logged with its code, as RFC 2865
 * asks: a NAS never learns from a reply that its secret is wrong.
 */
export async function startRadiusServer(options: RadiusServerOptions): Promise<RadiusServer> {
  const { front } = options;
  const duplicates = new RadiusDuplicates();
  const queue = new SessionQueue();

  const answer = async (packet: RadiusPacket, client: RadiusClient) => {
    const longCalls = options.longCalls ?? null;
    const outcome = packet.code === radiusCodes.accessRequest
      ? await handleAccessRequest(front, packet, client.address, longCalls)
      : await handleAccountingRequest(front, queue, packet, client.address, longCalls);
    if (outcome.kind === 'drop') {
      front.log.warn({ code: outcome.code, nas: client.address, detail: outcome.detail },
        'RADIUS request dropped');
    }
    return encodeReply(packet, outcome, client);
  };

  const onMessage = (socket: Socket, bytes: Buffer, remote: RemoteInfo) => {
    const client = options.clients.get(remote.address);
    if (client === undefined) {
      front.log.warn({ code: 'unknown_client', nas: remote.address }, 'RADIUS packet dropped');
      return;
    }
    const decoded = decodeRadius(bytes);
    if (!decoded.ok) {
      front.log.warn({ code: decoded.code, nas: remote.address, detail: decoded.detail },
        'RADIUS packet dropped');
      return;
    }
    const failed = integrityProblem(decoded.packet, client, options.requireMessageAuthenticator);
    if (failed !== null) {
      front.log.warn({ code: failed, nas: remote.address, radiusCode: decoded.packet.code },
        'RADIUS packet dropped');
      return;
    }
    const nowMs = Date.now();
    const key = RadiusDuplicates.keyOf(remote.address, remote.port, decoded.packet.raw);
    let reply = duplicates.find(key, nowMs);
    if (reply === undefined) {
      reply = answer(decoded.packet, client);
      duplicates.remember(key, reply, nowMs);
    } else {
      front.log.info({ code: 'retransmission', nas: remote.address }, 'answered again');
    }
    reply.then((bytesOut) => {
      if (bytesOut !== null) socket.send(bytesOut, remote.port, remote.address);
    }, (error: unknown) => {
      duplicates.forget(key);
      front.log.warn({ code: 'internal_error', nas: remote.address,
        detail: error instanceof Error ? error.message : String(error) },
      'RADIUS request failed: not answered, the NAS will send it again');
    });
  };

  const bind = (port: number) => new Promise<Socket>((resolve, reject) => {
    const socket = createSocket({ type: options.host.includes(':') ? 'udp6' : 'udp4' });
    socket.once('error', reject);
    socket.on('message', (bytes, remote) => onMessage(socket, bytes, remote));
    socket.bind(port, options.host, () => {
      socket.off('error', reject);
      socket.on('error', (error) => front.log.warn({ code: 'socket_error',
        detail: error.message }, 'RADIUS socket error'));
      resolve(socket);
    });
  });
  const auth = await bind(options.authPort);
  const acct = await bind(options.acctPort).catch(async (error: unknown) => {
    auth.close();
    throw error;
  });
  return {
    authPort: auth.address().port,
    acctPort: acct.address().port,
    close: async () => {
      await Promise.all([auth, acct].map((socket) =>
        new Promise<void>((resolve) => socket.close(() => resolve()))));
    },
  };
}
