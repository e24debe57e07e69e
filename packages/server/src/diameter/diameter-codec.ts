import { avpDefinitions, type AvpName } from './avp-dictionary.ts';
import { encodeScalar, type AvpScalar } from './avp-values.ts';
import {
  avpFlags,
  avpHeaderBytes,
  avpVendorHeaderBytes,
  headerBytes,
  reservedMessageFlagsMask,
} from './diameter-constants.ts';

/** Bounds on what a peer may make the decoder do (conventions: a limit on every loop). */
export const codecLimits = {
  /** Largest message accepted; Kamailio's CCRs are about 1 KiB. */
  messageBytesMax: 65_536,
  /** AVPs at one level of a message or of a grouped AVP. */
  avpsPerLevelMax: 512,
  /** Grouped AVPs nested deeper than this are refused. */
  groupDepthMax: 8,
} as const;

export interface DiameterHeader {
  readonly flags: number;
  readonly commandCode: number;
  readonly applicationId: number;
  readonly hopByHopId: number;
  readonly endToEndId: number;
}

/** A decoded AVP: its payload without padding, a view into the received frame. */
export interface Avp {
  readonly code: number;
  readonly vendorId: number;
  readonly flags: number;
  readonly data: Uint8Array;
}

export interface DiameterMessage extends DiameterHeader {
  readonly avps: readonly Avp[];
}

/** An AVP to send: a payload, or children for a grouped AVP. */
export interface OutAvp {
  readonly code: number;
  readonly vendorId: number;
  readonly flags: number;
  readonly data: Uint8Array | readonly OutAvp[];
}

/** A frame that cannot be understood; `resultCode` is the protocol's name for why. */
export class DiameterDecodeError extends Error {
  readonly resultCode: number;
  readonly failedAvp: OutAvp | undefined;
  constructor(resultCode: number, message: string, failedAvp?: OutAvp) {
    super(message);
    this.resultCode = resultCode;
    this.failedAvp = failedAvp;
  }
}

/** An AVP from the dictionary: flags and vendor come from its definition. */
export function avp(name: AvpName, value: AvpScalar | readonly OutAvp[]): OutAvp {
  const definition = avpDefinitions[name];
  const flags = (definition.vendorId === 0 ? 0 : avpFlags.vendor) |
    (definition.mandatory ? avpFlags.mandatory : 0);
  const data = Array.isArray(value) ? value as readonly OutAvp[]
    : encodeScalar(definition.type, value as AvpScalar);
  return { code: definition.code, vendorId: definition.vendorId, flags, data };
}

/** A received AVP sent back as it came (Proxy-Info, Failed-AVP). */
export function echoAvp(received: Avp): OutAvp {
  return { code: received.code, vendorId: received.vendorId, flags: received.flags,
    data: received.data };
}

function padded(length: number): number {
  return (length + 3) & ~3;
}

function avpHeaderLength(out: OutAvp): number {
  return (out.flags & avpFlags.vendor) !== 0 ? avpVendorHeaderBytes : avpHeaderBytes;
}

function avpLength(out: OutAvp): number {
  const header = avpHeaderLength(out);
  if (out.data instanceof Uint8Array) return header + out.data.length;
  let total = header;
  for (const child of out.data) total += padded(avpLength(child));
  return total;
}

function writeAvp(buffer: Buffer, offset: number, out: OutAvp): number {
  const length = avpLength(out);
  buffer.writeUInt32BE(out.code, offset);
  buffer.writeUInt32BE(((out.flags & 0xff) << 24 | length) >>> 0, offset + 4);
  let cursor = offset + avpHeaderLength(out);
  if ((out.flags & avpFlags.vendor) !== 0) buffer.writeUInt32BE(out.vendorId, offset + 8);
  if (out.data instanceof Uint8Array) {
    buffer.set(out.data, cursor);
    cursor += out.data.length;
  } else {
    for (const child of out.data) cursor = writeAvp(buffer, cursor, child);
  }
  const end = offset + padded(length);
  buffer.fill(0, cursor, end);
  return end;
}

/** One message as bytes: header, then each AVP padded to 4 bytes. */
export function encodeMessage(header: DiameterHeader, avps: readonly OutAvp[]): Buffer {
  let length = headerBytes;
  for (const out of avps) length += padded(avpLength(out));
  const buffer = Buffer.allocUnsafe(length);
  buffer.writeUInt32BE((1 << 24 | length) >>> 0, 0);
  buffer.writeUInt32BE(((header.flags & 0xff) << 24 | header.commandCode) >>> 0, 4);
  buffer.writeUInt32BE(header.applicationId >>> 0, 8);
  buffer.writeUInt32BE(header.hopByHopId >>> 0, 12);
  buffer.writeUInt32BE(header.endToEndId >>> 0, 16);
  let offset = headerBytes;
  for (const out of avps) offset = writeAvp(buffer, offset, out);
  return buffer;
}

/** The header of a frame of at least 20 bytes (framing has checked version and length). */
export function readHeader(frame: Uint8Array): DiameterHeader {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  return { flags: view.getUint8(4), commandCode: view.getUint32(4) & 0xff_ffff,
    applicationId: view.getUint32(8), hopByHopId: view.getUint32(12),
    endToEndId: view.getUint32(16) };
}

/**
 * The AVPs of a message body or of a grouped AVP's payload. Each AVP's length must fit in
 * what is left; a missing pad after the very last AVP is forgiven (lenient to old peers).
 */
export function decodeAvps(data: Uint8Array, depth = 0): Avp[] {
  if (depth > codecLimits.groupDepthMax) {
    throw new DiameterDecodeError(5004,
      `grouped AVPs nested deeper than ${codecLimits.groupDepthMax}`);
  }
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const avps: Avp[] = [];
  let offset = 0;
  while (offset < data.length) {
    if (avps.length >= codecLimits.avpsPerLevelMax) {
      throw new DiameterDecodeError(5009, `more than ${codecLimits.avpsPerLevelMax} AVPs`);
    }
    avps.push(decodeOneAvp(data, view, offset));
    offset += padded(avpLengthAt(view, offset));
  }
  return avps;
}

function avpLengthAt(view: DataView, offset: number): number {
  return view.getUint32(offset + 4) & 0xff_ffff;
}

function decodeOneAvp(data: Uint8Array, view: DataView, offset: number): Avp {
  const left = data.length - offset;
  if (left < avpHeaderBytes) {
    throw new DiameterDecodeError(5014, `${left} stray bytes after the last AVP`);
  }
  const code = view.getUint32(offset);
  const flags = view.getUint8(offset + 4);
  const length = avpLengthAt(view, offset);
  const hasVendor = (flags & avpFlags.vendor) !== 0;
  const headerLength = hasVendor ? avpVendorHeaderBytes : avpHeaderBytes;
  const vendorId = hasVendor && left >= avpVendorHeaderBytes ? view.getUint32(offset + 8) : 0;
  if (length < headerLength || length > left) {
    const failed: OutAvp = { code, vendorId, flags, data: new Uint8Array(0) };
    throw new DiameterDecodeError(5014, `AVP ${code} has length ${length} with ${left} ` +
      'bytes left', failed);
  }
  return { code, vendorId, flags, data: data.subarray(offset + headerLength, offset + length) };
}

/**
 * A whole frame (from the framer) as a message. Header problems come first: reserved flag
 * bits (3008), then the AVPs (5014 and friends).
 */
export function decodeMessage(frame: Uint8Array): DiameterMessage {
  const header = readHeader(frame);
  if ((header.flags & reservedMessageFlagsMask) !== 0) {
    throw new DiameterDecodeError(3008, 'reserved header flag bits are set');
  }
  return { ...header, avps: decodeAvps(frame.subarray(headerBytes)) };
}
