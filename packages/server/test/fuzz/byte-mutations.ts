import fc from 'fast-check';

/**
 * Mutations of real packets for the Diameter and RADIUS fuzzers, as data: fast-check prints a
 * failing case as the seed packet's index and the list of mutations, and shrinks it towards
 * fewer and smaller ones. Positions are taken modulo the packet length when applied, so one
 * mutation list fits packets of any size.
 */
export type ByteMutation =
  | { readonly kind: 'flip'; readonly at: number; readonly bit: number }
  | { readonly kind: 'set'; readonly at: number; readonly value: number }
  /** A big-endian integer over 1 to 4 bytes: where length and type fields live. */
  | { readonly kind: 'word'; readonly at: number; readonly bytes: number; readonly value: number }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'splice'; readonly cut: number; readonly resume: number }
  | { readonly kind: 'insert'; readonly at: number; readonly data: Uint8Array }
  | { readonly kind: 'repeat'; readonly from: number; readonly length: number;
    readonly at: number };

/** Values that sit on the edges of length and type fields. */
const edgeWords = [0, 1, 2, 3, 4, 7, 8, 12, 16, 19, 20, 21, 0x7f, 0x80, 0xff, 0x100, 0xfff,
  0x1000, 0xffff, 0x10000, 0xffffff, 0x1000000, 0x7fffffff, 0xffffffff];

const position = fc.nat({ max: 1 << 16 });

const mutation: fc.Arbitrary<ByteMutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: position, bit: fc.nat({ max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at: position, value: fc.nat({ max: 255 }) }),
  fc.record({ kind: fc.constant('word' as const), at: position,
    bytes: fc.integer({ min: 1, max: 4 }),
    value: fc.oneof(fc.constantFrom(...edgeWords), fc.nat({ max: 0xffffffff })) }),
  fc.record({ kind: fc.constant('truncate' as const), at: position }),
  fc.record({ kind: fc.constant('splice' as const), cut: position, resume: position }),
  fc.record({ kind: fc.constant('insert' as const), at: position,
    data: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
  fc.record({ kind: fc.constant('repeat' as const), from: position,
    length: fc.integer({ min: 1, max: 256 }), at: position }),
);

/** One to `mutationsMax` mutations applied in order. */
export function byteMutations(mutationsMax = 4): fc.Arbitrary<ByteMutation[]> {
  return fc.array(mutation, { minLength: 1, maxLength: mutationsMax });
}

/** A packet made from one of `seeds` by a few mutations, or (rarely) pure noise. */
export function mutatedPackets(seeds: readonly Buffer[]): fc.Arbitrary<Buffer> {
  return fc.oneof(
    { weight: 9, arbitrary: fc.tuple(fc.nat({ max: seeds.length - 1 }), byteMutations())
      .map(([index, mutations]) => applyMutations(seeds[index]!, mutations)) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 600 }).map((bytes) => Buffer.from(bytes)) },
  );
}

export function applyMutations(packet: Buffer, mutations: readonly ByteMutation[]): Buffer {
  let out: Buffer = Buffer.from(packet);
  for (const step of mutations) out = applyMutation(out, step);
  return out;
}

function applyMutation(packet: Buffer, step: ByteMutation): Buffer {
  const length = packet.length;
  const at = (value: number) => (length === 0 ? 0 : value % length);
  switch (step.kind) {
    case 'flip':
      if (length > 0) packet[at(step.at)] = packet[at(step.at)]! ^ (1 << step.bit);
      return packet;
    case 'set':
      if (length > 0) packet[at(step.at)] = step.value;
      return packet;
    case 'word': {
      const start = at(step.at);
      if (start + step.bytes <= length) packet.writeUIntBE(step.value % 2 ** (8 * step.bytes),
        start, step.bytes);
      return packet;
    }
    case 'truncate':
      return packet.subarray(0, at(step.at));
    case 'splice':
      return Buffer.concat([packet.subarray(0, at(step.cut)), packet.subarray(at(step.resume))]);
    case 'insert':
      return Buffer.concat([packet.subarray(0, at(step.at)), step.data,
        packet.subarray(at(step.at))]);
    case 'repeat': {
      const from = at(step.from);
      const chunk = packet.subarray(from, from + step.length);
      return Buffer.concat([packet.subarray(0, at(step.at)), chunk, packet.subarray(at(step.at))]);
    }
  }
}
