import { createHash, createHmac } from 'node:crypto';
import { secretsEqual } from '../../auth/secret-compare.ts';
import { radiusAttributes, type RadiusPacket } from './radius-packet.ts';

/**
 * The RADIUS integrity checks. A packet's integrity rests on the shared secret of the client
 * that sent it:
 * - Accounting-Request authenticator (RFC 2866): MD5(packet with 16 zero bytes in the
 *   authenticator field + secret);
 * - Message-Authenticator (RFC 3579, attribute 80): HMAC-MD5 keyed with the secret over the
 *   packet with the attribute's value zeroed; in an Accounting-Request the authenticator field
 *   is zeroed too (it is computed afterwards), in a reply it holds the request's authenticator;
 * - Response Authenticator (RFC 2865): MD5(reply with the request's authenticator + secret).
 */
const zeroAuthenticator = Buffer.alloc(16);

function md5(...parts: Buffer[]): Buffer {
  const hash = createHash('md5');
  for (const part of parts) hash.update(part);
  return hash.digest();
}

/** Authenticators are checked in constant time (auth/secret-compare.ts). */
function sameBytes(given: Buffer, expected: Buffer): boolean {
  return secretsEqual(given, expected);
}

/** Offset of the Message-Authenticator's 16-byte value in `raw`, or -1. */
function messageAuthenticatorOffset(raw: Buffer): number {
  let offset = 20;
  while (offset + 2 <= raw.length) {
    const type = raw[offset]!;
    const length = raw[offset + 1]!;
    if (length < 2) return -1;
    if (type === radiusAttributes.messageAuthenticator) return length === 18 ? offset + 2 : -1;
    offset += length;
  }
  return -1;
}

export function hasMessageAuthenticator(packet: RadiusPacket): boolean {
  return packet.attributes.some((item) => item.type === radiusAttributes.messageAuthenticator);
}

/** HMAC-MD5 over `raw` with the MA value zeroed and the authenticator field as given. */
function messageAuthenticatorOf(raw: Buffer, authenticator: Buffer, secret: Buffer): Buffer {
  const copy = Buffer.from(raw);
  authenticator.copy(copy, 4);
  const at = messageAuthenticatorOffset(copy);
  if (at >= 0) copy.fill(0, at, at + 16);
  return createHmac('md5', secret).update(copy).digest();
}

export function verifyMessageAuthenticator(packet: RadiusPacket, secret: Buffer): boolean {
  const at = messageAuthenticatorOffset(packet.raw);
  if (at < 0) return false;
  const given = packet.raw.subarray(at, at + 16);
  const field = packet.code === 4 ? zeroAuthenticator : packet.authenticator;
  return sameBytes(given, messageAuthenticatorOf(packet.raw, field, secret));
}

export function verifyAccountingAuthenticator(packet: RadiusPacket, secret: Buffer): boolean {
  const raw = packet.raw;
  const expected = md5(raw.subarray(0, 4), zeroAuthenticator, raw.subarray(20), secret);
  return sameBytes(packet.authenticator, expected);
}

/**
 * Signs an encoded reply in place: the Message-Authenticator (when the reply has the
 * attribute, with its value zeroed) over the request's authenticator, then the Response
 * Authenticator over the result.
 */
export function signReply(reply: Buffer, requestAuthenticator: Buffer, secret: Buffer): Buffer {
  const at = messageAuthenticatorOffset(reply);
  if (at >= 0) messageAuthenticatorOf(reply, requestAuthenticator, secret).copy(reply, at);
  md5(reply.subarray(0, 4), requestAuthenticator, reply.subarray(20), secret).copy(reply, 4);
  return reply;
}

/**
 * Signs a request Tollgate sends (Disconnect-Request, RFC 5176): the authenticator is computed
 * like an Accounting-Request's, after the Message-Authenticator over a zero authenticator.
 */
export function signRequest(request: Buffer, secret: Buffer): Buffer {
  const at = messageAuthenticatorOffset(request);
  if (at >= 0) messageAuthenticatorOf(request, zeroAuthenticator, secret).copy(request, at);
  md5(request.subarray(0, 4), zeroAuthenticator, request.subarray(20), secret).copy(request, 4);
  return request;
}

/** Checks a reply to a request Tollgate sent (its Response Authenticator). */
export function verifyReply(reply: Buffer, requestAuthenticator: Buffer, secret: Buffer) {
  if (reply.length < 20) return false;
  const expected = md5(reply.subarray(0, 4), requestAuthenticator, reply.subarray(20), secret);
  return sameBytes(reply.subarray(4, 20), expected);
}
