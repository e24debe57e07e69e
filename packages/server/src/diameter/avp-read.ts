import { avpDefinitions, type AvpName } from './avp-dictionary.ts';
import {
  AvpValueError,
  decodeInteger32,
  decodeInteger64,
  decodeUnsigned32,
  decodeUtf8,
} from './avp-values.ts';
import {
  decodeAvps,
  DiameterDecodeError,
  echoAvp,
  type Avp,
  type OutAvp,
} from './diameter-codec.ts';

/**
 * Reading a received message by AVP name. A value that cannot be read becomes a
 * DiameterDecodeError naming the AVP, so the answer can carry it in Failed-AVP.
 */

// Hot path (every CCR): the definition is resolved once per call, not once per AVP.
export function findAvp(avps: readonly Avp[], name: AvpName): Avp | undefined {
  const { code, vendorId } = avpDefinitions[name];
  for (const candidate of avps) {
    if (candidate.code === code && candidate.vendorId === vendorId) return candidate;
  }
  return undefined;
}

export function findAvps(avps: readonly Avp[], name: AvpName): Avp[] {
  const { code, vendorId } = avpDefinitions[name];
  return avps.filter((candidate) => candidate.code === code && candidate.vendorId === vendorId);
}

/** An empty AVP of that name, as Failed-AVP for a missing one (RFC 6733 7.5). */
export function missingAvp(name: AvpName): OutAvp {
  const definition = avpDefinitions[name];
  return { code: definition.code, vendorId: definition.vendorId,
    flags: (definition.vendorId === 0 ? 0 : 0x80) | 0x40, data: new Uint8Array(0) };
}

function readAs<T>(found: Avp, read: (data: Uint8Array) => T): T {
  try {
    return read(found.data);
  } catch (error) {
    if (error instanceof AvpValueError) {
      throw new DiameterDecodeError(error.resultCode, error.message, echoAvp(found));
    }
    throw error;
  }
}

export function unsigned32Of(found: Avp): number {
  return readAs(found, decodeUnsigned32);
}

export function integer32Of(found: Avp): number {
  return readAs(found, decodeInteger32);
}

export function integer64Of(found: Avp): bigint {
  return readAs(found, decodeInteger64);
}

export function textOf(found: Avp): string {
  return readAs(found, decodeUtf8);
}

/** The children of a grouped AVP; a malformed payload names the group in Failed-AVP. */
export function childrenOf(found: Avp, depth = 1): Avp[] {
  try {
    return decodeAvps(found.data, depth);
  } catch (error) {
    if (error instanceof DiameterDecodeError && error.failedAvp === undefined) {
      throw new DiameterDecodeError(error.resultCode, error.message, echoAvp(found));
    }
    throw error;
  }
}

/** The first AVP of that name, or 5005 naming it. */
export function requireAvp(avps: readonly Avp[], name: AvpName): Avp {
  const found = findAvp(avps, name);
  if (found === undefined) {
    throw new DiameterDecodeError(5005, `${name} is missing`, missingAvp(name));
  }
  return found;
}

/**
 * A single-valued AVP where two copies could change what is charged: copies must agree,
 * otherwise 5009 (strict where money is involved, lenient where it is not).
 */
export function requireSingleUnsigned32(avps: readonly Avp[], name: AvpName): number {
  const all = findAvps(avps, name);
  if (all.length === 0) {
    throw new DiameterDecodeError(5005, `${name} is missing`, missingAvp(name));
  }
  const values = all.map(unsigned32Of);
  if (values.some((value) => value !== values[0])) {
    throw new DiameterDecodeError(5009, `${name} occurs with different values`, echoAvp(all[1]!));
  }
  return values[0]!;
}
