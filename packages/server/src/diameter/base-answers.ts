import { findAvp, findAvps } from './avp-read.ts';
import {
  avp,
  echoAvp,
  encodeMessage,
  type DiameterHeader,
  type DiameterMessage,
  type OutAvp,
} from './diameter-codec.ts';
import { isProtocolError, messageFlags } from './diameter-constants.ts';

/** Who Tollgate is on the Diameter network (its CEA, every answer's Origin-Host/Realm). */
export interface LocalIdentity {
  readonly originHost: string;
  readonly originRealm: string;
  readonly productName: string;
  /** Changes at every start so peers can tell a restart (RFC 6733 8.16). */
  readonly originStateId: number;
}

/**
 * An answer to `request`: same command and application, R cleared, P copied, E set for a
 * protocol error (3xxx), the same Hop-by-Hop and End-to-End ids, and every Proxy-Info of the
 * request copied in order (RFC 6733 6.2).
 */
export function encodeAnswer(
  request: DiameterHeader & { readonly avps?: DiameterMessage['avps'] },
  resultCode: number,
  avps: readonly OutAvp[],
): Buffer {
  const flags = (request.flags & messageFlags.proxiable) |
    (isProtocolError(resultCode) ? messageFlags.error : 0);
  const proxyInfos = request.avps === undefined ? [] : findAvps(request.avps, 'Proxy-Info');
  return encodeMessage({ flags, commandCode: request.commandCode,
    applicationId: request.applicationId, hopByHopId: request.hopByHopId,
    endToEndId: request.endToEndId }, [...avps, ...proxyInfos.map(echoAvp)]);
}

/**
 * The generic error answer (RFC 6733 7.2): Session-Id when the request had one, Origin-Host,
 * Origin-Realm, Result-Code, Error-Message, Failed-AVP.
 */
export function encodeErrorAnswer(options: {
  readonly request: DiameterHeader & { readonly avps?: DiameterMessage['avps'] };
  readonly local: LocalIdentity;
  readonly resultCode: number;
  readonly message: string;
  readonly failedAvp?: OutAvp | undefined;
}): Buffer {
  const { request, local, resultCode } = options;
  const session = request.avps === undefined ? undefined : findAvp(request.avps, 'Session-Id');
  const avps: OutAvp[] = [
    ...(session === undefined ? [] : [echoAvp(session)]),
    avp('Origin-Host', local.originHost),
    avp('Origin-Realm', local.originRealm),
    avp('Result-Code', resultCode),
    avp('Error-Message', options.message.slice(0, 200)),
    ...(options.failedAvp === undefined ? [] : [avp('Failed-AVP', [options.failedAvp])]),
  ];
  return encodeAnswer(request, resultCode, avps);
}
