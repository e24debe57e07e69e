import { isIP } from 'node:net';
import type { AvpType } from './avp-dictionary.ts';

/**
 * Typed AVP payloads. Integers that may exceed 2^53 (Unsigned64, Integer64: octet counters,
 * Value-Digits of money) are bigint so no value is ever rounded; 32-bit ones are numbers.
 * Time is whole Unix seconds; Address is an IPv4 or IPv6 text address.
 */
export type AvpScalar = number | bigint | string | Uint8Array;

/** Seconds from the NTP epoch (1900-01-01) to the Unix epoch (RFC 6733 4.3.1, Time). */
const ntpToUnixSeconds = 2_208_988_800;
const twoTo32 = 0x1_0000_0000;

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

export class AvpValueError extends Error {
  /** 5014 for a length the type forbids, 5004 for bytes that are not a valid value. */
  readonly resultCode: 5004 | 5014;
  constructor(resultCode: 5004 | 5014, message: string) {
    super(message);
    this.resultCode = resultCode;
  }
}

function expectLength(data: Uint8Array, bytes: number, type: AvpType): DataView {
  if (data.length !== bytes) {
    throw new AvpValueError(5014, `${type} needs ${bytes} bytes, got ${data.length}`);
  }
  return new DataView(data.buffer, data.byteOffset, data.byteLength);
}

export function decodeUnsigned32(data: Uint8Array): number {
  return expectLength(data, 4, 'Unsigned32').getUint32(0);
}

export function decodeInteger32(data: Uint8Array): number {
  return expectLength(data, 4, 'Integer32').getInt32(0);
}

export function decodeUnsigned64(data: Uint8Array): bigint {
  return expectLength(data, 8, 'Unsigned64').getBigUint64(0);
}

export function decodeInteger64(data: Uint8Array): bigint {
  return expectLength(data, 8, 'Integer64').getBigInt64(0);
}

export function decodeUtf8(data: Uint8Array): string {
  try {
    return utf8Decoder.decode(data);
  } catch {
    throw new AvpValueError(5004, 'not valid UTF-8');
  }
}

/** NTP seconds; values with the top bit clear are in era 1 (after 2036-02-07). */
export function decodeTime(data: Uint8Array): number {
  const ntp = expectLength(data, 4, 'Time').getUint32(0);
  const eraSeconds = ntp >= 0x8000_0000 ? ntp : ntp + twoTo32;
  return eraSeconds - ntpToUnixSeconds;
}

export function decodeAddress(data: Uint8Array): string {
  if (data.length < 2) throw new AvpValueError(5014, 'Address needs a 2-byte family');
  const family = (data[0]! << 8) | data[1]!;
  if (family === 1 && data.length === 6) return Array.from(data.subarray(2)).join('.');
  if (family === 2 && data.length === 18) {
    const view = new DataView(data.buffer, data.byteOffset + 2, 16);
    const groups: string[] = [];
    for (let index = 0; index < 8; index += 1) groups.push(view.getUint16(index * 2).toString(16));
    return groups.join(':');
  }
  throw new AvpValueError(5004, `Address family ${family} with ${data.length - 2} bytes`);
}

/** Decodes a scalar by type; Grouped is decoded by the codec, not here. */
export function decodeScalar(type: AvpType, data: Uint8Array): AvpScalar {
  switch (type) {
    case 'Unsigned32':
      return decodeUnsigned32(data);
    case 'Integer32':
    case 'Enumerated':
      return decodeInteger32(data);
    case 'Unsigned64':
      return decodeUnsigned64(data);
    case 'Integer64':
      return decodeInteger64(data);
    case 'Time':
      return decodeTime(data);
    case 'Address':
      return decodeAddress(data);
    case 'UTF8String':
    case 'DiameterIdentity':
    case 'DiameterURI':
    case 'IPFilterRule':
      return decodeUtf8(data);
    case 'OctetString':
    case 'Grouped':
      return data;
  }
}

function fixed(bytes: number, write: (view: DataView) => void): Uint8Array {
  const out = new Uint8Array(bytes);
  write(new DataView(out.buffer));
  return out;
}

function expectInteger(value: AvpScalar, min: number, max: number, type: AvpType): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${type} out of range: ${String(value)}`);
  }
  return value;
}

function expectBigint(value: AvpScalar, type: AvpType, bits: 'signed' | 'unsigned'): bigint {
  const number = typeof value === 'bigint' ? value
    : typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : null;
  const min = bits === 'signed' ? -(1n << 63n) : 0n;
  const max = bits === 'signed' ? (1n << 63n) - 1n : (1n << 64n) - 1n;
  if (number === null || number < min || number > max) {
    throw new RangeError(`${type} out of range: ${String(value)}`);
  }
  return number;
}

function encodeAddress(value: AvpScalar): Uint8Array {
  const text = String(value);
  if (isIP(text) === 4) return Uint8Array.from([0, 1, ...text.split('.').map(Number)]);
  if (isIP(text) === 6 && !text.includes('.')) {
    const [head = '', tail = ''] = text.split('::');
    const headGroups = head === '' ? [] : head.split(':');
    const tailGroups = tail === '' ? [] : tail.split(':');
    const zeros = text.includes('::') ? 8 - headGroups.length - tailGroups.length : 0;
    const groups = [...headGroups, ...Array<string>(zeros).fill('0'), ...tailGroups];
    return fixed(18, (view) => {
      view.setUint16(0, 2);
      groups.forEach((group, index) => view.setUint16(2 + index * 2, Number.parseInt(group, 16)));
    });
  }
  throw new RangeError(`not an IP address: ${text}`);
}

/** Encodes a scalar by type; throws RangeError on a value the type cannot hold (a bug). */
export function encodeScalar(type: AvpType, value: AvpScalar): Uint8Array {
  switch (type) {
    case 'Unsigned32':
      return fixed(4, (view) => view.setUint32(0, expectInteger(value, 0, 0xffff_ffff, type)));
    case 'Integer32':
    case 'Enumerated':
      return fixed(4, (view) => view.setInt32(0, expectInteger(value, -0x8000_0000,
        0x7fff_ffff, type)));
    case 'Unsigned64':
      return fixed(8, (view) => view.setBigUint64(0, expectBigint(value, type, 'unsigned')));
    case 'Integer64':
      return fixed(8, (view) => view.setBigInt64(0, expectBigint(value, type, 'signed')));
    case 'Time': {
      const ntp = expectInteger(value, 0, Number.MAX_SAFE_INTEGER, type) + ntpToUnixSeconds;
      return fixed(4, (view) => view.setUint32(0, ntp % twoTo32));
    }
    case 'Address':
      return encodeAddress(value);
    case 'UTF8String':
    case 'DiameterIdentity':
    case 'DiameterURI':
    case 'IPFilterRule':
    case 'OctetString':
    case 'Grouped':
      return typeof value === 'string' ? utf8Encoder.encode(value)
        : value instanceof Uint8Array ? value : utf8Encoder.encode(String(value));
  }
}
