import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import radius from 'radius';
import { radiusSecret } from '../switches/radius-harness.ts';
import { mutatedPackets } from './byte-mutations.ts';

/**
 * RADIUS packets for the fuzzers. Seeds are built by an independent implementation (the
 * `radius` npm package); an edited packet is signed again here, with node:crypto and RFC 2865,
 * 2866 and 3579 (not with Tollgate's own signer), so that it passes the server's integrity
 * checks and its hostile attributes reach the handlers that charge.
 */

const attributes = (callId: string): Array<[string, unknown]> => [['User-Name', 'cu1'],
  ['Calling-Station-Id', '15551230000'], ['Called-Station-Id', '+442079460000'],
  ['Acct-Session-Id', callId]];

function accounting(status: string, seconds: number | null): Buffer {
  return radius.encode({ code: 'Accounting-Request', secret: radiusSecret, identifier: 2,
    attributes: [...attributes('fz-1'), ['Acct-Status-Type', status],
      ...(seconds === null ? [] : [['Acct-Session-Time', seconds] as [string, unknown]])] });
}

export const radiusSeeds: readonly Buffer[] = [
  radius.encode({ code: 'Access-Request', secret: radiusSecret, identifier: 1,
    add_message_authenticator: true, attributes: attributes('fz-1') }),
  accounting('Start', null),
  accounting('Interim-Update', 30),
  accounting('Stop', 47),
  accounting('Accounting-On', null),
];

interface Attribute {
  readonly type: number;
  readonly value: Buffer;
}

/** The attributes of a valid packet (the seeds are). */
function attributesOf(packet: Buffer): Attribute[] {
  const found: Attribute[] = [];
  for (let offset = 20; offset + 2 <= packet.length; offset += packet[offset + 1]!) {
    found.push({ type: packet[offset]!, value: packet.subarray(offset + 2,
      offset + packet[offset + 1]!) });
  }
  return found;
}

type AttributeEdit =
  | { readonly kind: 'value'; readonly target: number; readonly value: Uint8Array }
  | { readonly kind: 'remove'; readonly target: number }
  | { readonly kind: 'duplicate'; readonly target: number }
  | { readonly kind: 'retype'; readonly target: number; readonly type: number }
  | { readonly kind: 'add'; readonly type: number; readonly value: Uint8Array };

function word(value: number): Uint8Array {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value >>> 0);
  return out;
}

const value: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 253 }),
  fc.constantFrom(0, 1, 2, 3, 7, 8, 59, 60, 61, 3600, 86_400, 0x7fffffff, 0xffffffff).map(word),
  fc.string({ unit: 'binary', maxLength: 80 }).map((text) =>
    Buffer.from(text, 'utf8').subarray(0, 253)),
  fc.stringMatching(/^\+?[0-9]{0,40}$/).map((text) => Buffer.from(text)),
  fc.constantFrom('cu1', 'cu2', 'rs', 'op', 'other', 'fz-1', 'fz-2', '', ' ', 'a'.repeat(200),
    '__proto__', 'constructor').map((text) => Buffer.from(text)),
);

/** The attribute types the server reads, most often; any other type sometimes. */
const attributeType = fc.oneof(fc.constantFrom(1, 18, 25, 26, 27, 30, 31, 32, 40, 41, 44, 46,
  49, 80), fc.nat({ max: 255 }));

const attributeEdit: fc.Arbitrary<AttributeEdit> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('value' as const), target: fc.nat(),
    value }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('remove' as const), target: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('duplicate' as const),
    target: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('retype' as const), target: fc.nat(),
    type: attributeType }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('add' as const), type: attributeType,
    value }) },
);

function applyEdit(list: Attribute[], edit: AttributeEdit): Attribute[] {
  if (edit.kind === 'add') return [...list, { type: edit.type, value: Buffer.from(edit.value) }];
  if (list.length === 0) return list;
  const target = edit.target % list.length;
  return list.flatMap((attribute, index) => {
    if (index !== target) return [attribute];
    switch (edit.kind) {
      case 'value':
        return [{ type: attribute.type, value: Buffer.from(edit.value) }];
      case 'remove':
        return [];
      case 'duplicate':
        return [attribute, attribute];
      case 'retype':
        return [{ type: edit.type, value: attribute.value }];
    }
  });
}

const zeroAuthenticator = Buffer.alloc(16);

/**
 * Encodes and signs a request as a NAS would: Access-Request with a random authenticator and
 * the Message-Authenticator over it; anything else like an Accounting-Request (RFC 2866: the
 * Message-Authenticator over a zero authenticator, then the authenticator over the packet).
 */
export function signedRequest(options: { code: number; identifier: number;
  authenticator: Uint8Array; attributes: readonly Attribute[] }): Buffer {
  const body = Buffer.concat(options.attributes.flatMap((attribute) =>
    [Buffer.from([attribute.type, attribute.value.length + 2]), attribute.value]));
  const packet = Buffer.concat([Buffer.from([options.code, options.identifier, 0, 0]),
    options.code === 1 ? options.authenticator : zeroAuthenticator, body]);
  packet.writeUInt16BE(packet.length, 2);
  const first = options.attributes.findIndex((attribute) => attribute.type === 80);
  if (first >= 0 && options.attributes[first]!.value.length === 16) {
    const at = 20 + options.attributes.slice(0, first)
      .reduce((sum, attribute) => sum + attribute.value.length + 2, 0) + 2;
    packet.fill(0, at, at + 16);
    createHmac('md5', radiusSecret).update(packet).digest().copy(packet, at);
  }
  if (options.code !== 1) {
    createHash('md5').update(packet).update(radiusSecret).digest().copy(packet, 4);
  }
  return packet;
}

/**
 * The call a request is about: a few ids often, so that accounting records find the calls
 * earlier Access-Requests opened; fresh ones otherwise, so that new calls keep being granted.
 */
const callId = fc.oneof(fc.nat({ max: 20 }), fc.nat()).map((number) =>
  Buffer.from(`fz-${number}`));

/** A seed for another call with one to three attribute edits, signed again. */
export const editedRequests: fc.Arbitrary<Buffer> = fc.record({
  seed: fc.nat({ max: radiusSeeds.length - 1 }),
  call: callId,
  edits: fc.array(attributeEdit, { minLength: 1, maxLength: 3 }),
  code: fc.oneof({ weight: 9, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.nat({ max: 255 }) }),
  identifier: fc.nat({ max: 255 }),
  authenticator: fc.uint8Array({ minLength: 16, maxLength: 16 }),
}).map(({ seed, call, edits, code, identifier, authenticator }) => {
  const packet = radiusSeeds[seed]!;
  let list = attributesOf(packet).map((attribute) => attribute.type === 44
    ? { type: 44, value: call } : attribute);
  for (const edit of edits) list = applyEdit(list, edit);
  return signedRequest({ code: code ?? packet[0]!, identifier, authenticator,
    attributes: list });
});

/** Byte-mutated seeds: almost all fail the integrity checks, some fail decoding first. */
export const mutatedRequests: fc.Arbitrary<Buffer> = mutatedPackets(radiusSeeds);

/** Whether `reply` is signed for `request` with the shared secret (RFC 2865 section 3). */
export function replySigned(request: Buffer, reply: Buffer): boolean {
  if (reply.length < 20) return false;
  const expected = createHash('md5').update(reply.subarray(0, 4))
    .update(request.subarray(4, 20)).update(reply.subarray(20)).update(radiusSecret).digest();
  return expected.equals(reply.subarray(4, 20));
}
