import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { lookupAvp } from '../../src/diameter/avp-dictionary.ts';
import {
  avp,
  decodeAvps,
  decodeMessage,
  encodeMessage,
  type Avp,
  type OutAvp,
} from '../../src/diameter/diameter-codec.ts';
import { ccrAvps } from '../diameter/diameter-test-client.ts';
import { mutatedPackets } from './byte-mutations.ts';

/**
 * Diameter frames for the fuzzers: real seeds (Kamailio's captured CCR-I and the messages the
 * test client sends), byte mutations of them, and AVP-level edits that keep the framing valid
 * so that the bytes reach `parseCreditControlRequest` and the charging handler, not just the
 * codec.
 */

const kamailioCcr = Buffer.from(readFileSync(new URL(
  '../diameter/fixtures/kamailio-ccr-initial.hex', import.meta.url), 'utf8').trim(), 'hex');

/** The Subscription-Id the fuzzed CCRs name; the server fuzz maps it to a funded account. */
export const fuzzSubscriber = 'sip:fuzz@127.0.0.1';

function request(commandCode: number, applicationId: number, avps: readonly OutAvp[]): Buffer {
  return encodeMessage({ flags: 0x80, commandCode, applicationId, hopByHopId: 1,
    endToEndId: 1 }, avps);
}

function ccr(type: 1 | 2 | 3 | 4, number: number, units: { used?: number; requested?: number }) {
  return request(272, 4, ccrAvps({ sessionId: `fuzz;${type}`, type, number,
    ...(units.used === undefined ? {} : { usedSeconds: units.used }),
    ...(units.requested === undefined ? {} : { requestedSeconds: units.requested }),
    called: 'sip:442079460000@127.0.0.1', subscription: { type: 2, data: fuzzSubscriber } }));
}

/** A CER the server accepts: application 4, from the test realm. */
export function capabilitiesRequest(host = 'fuzz.test.local'): Buffer {
  return request(257, 0, [avp('Origin-Host', host), avp('Origin-Realm', 'test.local'),
    avp('Host-IP-Address', '127.0.0.1'), avp('Vendor-Id', 0), avp('Product-Name', 'fuzz'),
    avp('Auth-Application-Id', 4)]);
}

/** Every message a credit-control client sends, as real bytes. */
export const diameterSeeds: readonly Buffer[] = [
  kamailioCcr,
  ccr(1, 0, { requested: 10 }),
  ccr(2, 1, { used: 5, requested: 10 }),
  ccr(3, 2, { used: 7 }),
  ccr(4, 0, { requested: 30 }),
  capabilitiesRequest(),
  request(280, 0, [avp('Origin-Host', 'f'), avp('Origin-Realm', 'r')]),
  request(282, 0, [avp('Origin-Host', 'f'), avp('Origin-Realm', 'r'),
    avp('Disconnect-Cause', 0)]),
];

/**
 * The frame with its header's length made true (rounded down to 4 bytes), version 1 and the
 * R flag set, so that a mutation reaches the decoder instead of ending the connection's framing.
 */
export function asRequest(frame: Buffer): Buffer {
  const length = frame.length - (frame.length % 4);
  if (length < 20) return frame;
  const out = Buffer.from(frame.subarray(0, length));
  out.writeUInt32BE((1 << 24 | length) >>> 0, 0);
  out[4] = (out[4]! | 0x80) & 0xf0;
  return out;
}

/** An AVP tree: grouped AVPs the dictionary knows are opened, anything else stays bytes. */
function treeOf(avps: readonly Avp[]): OutAvp[] {
  return avps.map((found) => {
    if (lookupAvp(found.code, found.vendorId)?.definition.type !== 'Grouped') return found;
    return { ...found, data: treeOf(decodeAvps(found.data, 1)) };
  });
}

type AvpEdit =
  | { readonly kind: 'value'; readonly target: number; readonly data: Uint8Array }
  | { readonly kind: 'remove'; readonly target: number }
  | { readonly kind: 'duplicate'; readonly target: number }
  | { readonly kind: 'recode'; readonly target: number; readonly code: number;
    readonly flags: number; readonly vendorId: number }
  | { readonly kind: 'nest'; readonly target: number; readonly depth: number };

const edgeUnsigned = [0, 1, 2, 3, 4, 5, 0x7fffffff, 0x80000000, 0xffffffff];

function bigEndian(value: bigint, bytes: number): Uint8Array {
  const out = Buffer.alloc(bytes);
  if (bytes === 4) out.writeUInt32BE(Number(BigInt.asUintN(32, value)));
  else out.writeBigUInt64BE(BigInt.asUintN(64, value));
  return out;
}

/** Payloads that stress the value readers: wrong sizes, edge integers, hostile text. */
const payload: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 40 }),
  fc.constantFrom(...edgeUnsigned).map((value) => bigEndian(BigInt(value), 4)),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }).map((value) => bigEndian(value, 8)),
  fc.string({ unit: 'binary', maxLength: 300 }).map((text) => Buffer.from(text, 'utf8')),
  fc.stringMatching(/^(sip|tel):\+?[0-9]{0,30}@?[a-z.]{0,10}$/).map((text) => Buffer.from(text)),
);

const knownCodes = [263, 264, 296, 258, 415, 416, 443, 444, 450, 437, 446, 420, 412, 455,
  456, 873, 874, 1202, 268, 55, 1];

const avpEdit: fc.Arbitrary<AvpEdit> = fc.oneof(
  fc.record({ kind: fc.constant('value' as const), target: fc.nat(), data: payload }),
  fc.record({ kind: fc.constant('remove' as const), target: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), target: fc.nat() }),
  fc.record({ kind: fc.constant('recode' as const), target: fc.nat(),
    code: fc.oneof(fc.constantFrom(...knownCodes), fc.nat()),
    flags: fc.constantFrom(0, 0x40, 0x80, 0xc0, 0xe0, 0x1f),
    vendorId: fc.constantFrom(0, 10415, 9, 0xffffffff) }),
  fc.record({ kind: fc.constant('nest' as const), target: fc.nat(),
    depth: fc.integer({ min: 1, max: 12 }) }),
);

/** Applies `edit` to the node numbered `edit.target` (pre-order) of `tree`; returns a new tree. */
function applyEdit(tree: readonly OutAvp[], edit: AvpEdit): OutAvp[] {
  const count = countNodes(tree);
  if (count === 0) return [...tree];
  let index = edit.target % count;
  const visit = (level: readonly OutAvp[]): OutAvp[] => level.flatMap((node) => {
    const mine = index === 0;
    index -= 1;
    if (mine) return editNode(node, edit);
    if (node.data instanceof Uint8Array) return [node];
    return [{ ...node, data: visit(node.data) }];
  });
  return visit(tree);
}

function editNode(node: OutAvp, edit: AvpEdit): OutAvp[] {
  switch (edit.kind) {
    case 'value':
      return [{ ...node, data: edit.data }];
    case 'remove':
      return [];
    case 'duplicate':
      return [node, node];
    case 'recode':
      return [{ code: edit.code, flags: edit.flags, vendorId: edit.vendorId, data: node.data }];
    case 'nest': {
      let nested = node;
      for (let level = 0; level < edit.depth; level += 1) {
        nested = { code: 456, flags: 0x40, vendorId: 0, data: [nested] };
      }
      return [nested];
    }
  }
}

function countNodes(tree: readonly OutAvp[]): number {
  let count = 0;
  for (const node of tree) {
    count += 1;
    if (!(node.data instanceof Uint8Array)) count += countNodes(node.data);
  }
  return count;
}

/** A seed re-encoded after one to three AVP edits: always well framed. */
export const editedFrames: fc.Arbitrary<Buffer> = fc.tuple(
  fc.nat({ max: diameterSeeds.length - 1 }), fc.array(avpEdit, { minLength: 1, maxLength: 3 }),
).map(([seedIndex, edits]) => {
  const message = decodeMessage(diameterSeeds[seedIndex]!);
  let tree = treeOf(message.avps);
  for (const edit of edits) tree = applyEdit(tree, edit);
  return encodeMessage(message, tree);
});

/** Byte-mutated seeds (any framing), made into requests half of the time. */
export const mutatedFrames: fc.Arbitrary<Buffer> = fc.tuple(mutatedPackets(diameterSeeds),
  fc.boolean()).map(([frame, fixed]) => (fixed ? asRequest(frame) : frame));
