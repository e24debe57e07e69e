/**
 * The RADIUS wire format (RFC 2865 section 3, RFC 2866): a 20-byte header (code, identifier,
 * length, 16-byte authenticator) and type-length-value attributes. Decoding never throws: a
 * malformed packet is a typed failure with a stable code, and the server drops it.
 */
export const radiusCodes = {
  accessRequest: 1,
  accessAccept: 2,
  accessReject: 3,
  accountingRequest: 4,
  accountingResponse: 5,
  disconnectRequest: 40,
  disconnectAck: 41,
  disconnectNak: 42,
  coaRequest: 43,
  coaAck: 44,
  coaNak: 45,
} as const;

export const radiusAttributes = {
  userName: 1,
  replyMessage: 18,
  class: 25,
  vendorSpecific: 26,
  sessionTimeout: 27,
  calledStationId: 30,
  callingStationId: 31,
  nasIdentifier: 32,
  acctStatusType: 40,
  acctDelayTime: 41,
  acctSessionId: 44,
  acctSessionTime: 46,
  acctTerminateCause: 49,
  messageAuthenticator: 80,
  acctInterimInterval: 85,
} as const;

export const acctStatusTypes = { start: 1, stop: 2, interimUpdate: 3, accountingOn: 7,
  accountingOff: 8 } as const;

export const radiusLimits = {
  /** RFC 2865: 20 to 4096 octets. */
  headerBytes: 20,
  packetBytesMax: 4096,
  authenticatorBytes: 16,
} as const;

export interface RadiusAttribute {
  readonly type: number;
  readonly value: Buffer;
}

export interface RadiusPacket {
  readonly code: number;
  readonly identifier: number;
  readonly authenticator: Buffer;
  readonly attributes: readonly RadiusAttribute[];
  /** The packet's own bytes (up to its Length field), for authenticator checks. */
  readonly raw: Buffer;
}

export const radiusDecodeCodes = ['packet_too_short', 'packet_too_long', 'bad_length_field',
  'bad_attribute_length'] as const;
export type RadiusDecodeCode = (typeof radiusDecodeCodes)[number];

export type Decoded =
  | { readonly ok: true; readonly packet: RadiusPacket }
  | { readonly ok: false; readonly code: RadiusDecodeCode; readonly detail: string };

export function decodeRadius(bytes: Buffer): Decoded {
  const { headerBytes, packetBytesMax } = radiusLimits;
  if (bytes.length < headerBytes) {
    return { ok: false, code: 'packet_too_short', detail: `${bytes.length} bytes` };
  }
  if (bytes.length > packetBytesMax) {
    return { ok: false, code: 'packet_too_long', detail: `${bytes.length} bytes` };
  }
  const length = bytes.readUInt16BE(2);
  // Octets past Length are padding and ignored (RFC 2865); a Length past the datagram is not.
  if (length < headerBytes || length > bytes.length) {
    return { ok: false, code: 'bad_length_field', detail: `length ${length} of ${bytes.length}` };
  }
  const raw = Buffer.from(bytes.subarray(0, length));
  const attributes: RadiusAttribute[] = [];
  let offset = headerBytes;
  while (offset < length) {
    const type = raw[offset]!;
    const attributeLength = offset + 1 < length ? raw[offset + 1]! : 0;
    if (attributeLength < 2 || offset + attributeLength > length) {
      return { ok: false, code: 'bad_attribute_length',
        detail: `attribute ${type} at ${offset} has length ${attributeLength}` };
    }
    attributes.push({ type, value: raw.subarray(offset + 2, offset + attributeLength) });
    offset += attributeLength;
  }
  return { ok: true, packet: { code: raw[0]!, identifier: raw[1]!,
    authenticator: raw.subarray(4, 20), attributes, raw } };
}

/** Header + attributes; the authenticator is filled by the caller (radius-authenticators.ts). */
export function encodeRadius(packet: {
  code: number;
  identifier: number;
  authenticator: Buffer;
  attributes: readonly RadiusAttribute[];
}): Buffer {
  const parts: Buffer[] = [];
  for (const attribute of packet.attributes) {
    if (attribute.value.length > 253) throw new RangeError('a RADIUS attribute holds 253 bytes');
    parts.push(Buffer.from([attribute.type, attribute.value.length + 2]), attribute.value);
  }
  const body = Buffer.concat(parts);
  const length = radiusLimits.headerBytes + body.length;
  if (length > radiusLimits.packetBytesMax) throw new RangeError('a RADIUS packet is 4096 max');
  const header = Buffer.alloc(radiusLimits.headerBytes);
  header[0] = packet.code;
  header[1] = packet.identifier;
  header.writeUInt16BE(length, 2);
  packet.authenticator.copy(header, 4, 0, 16);
  return Buffer.concat([header, body]);
}

export function textAttribute(type: number, text: string): RadiusAttribute {
  return { type, value: Buffer.from(text, 'utf8').subarray(0, 253) };
}

export function integerAttribute(type: number, value: number): RadiusAttribute {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value >>> 0, 0);
  return { type, value: bytes };
}

/** A vendor-specific attribute with one sub-attribute (RFC 2865 section 5.26). */
export function vendorAttribute(vendorId: number, vendorType: number, text: string) {
  const data = Buffer.from(text, 'utf8').subarray(0, 247);
  const value = Buffer.alloc(6 + data.length);
  value.writeUInt32BE(vendorId, 0);
  value[4] = vendorType;
  value[5] = data.length + 2;
  data.copy(value, 6);
  return { type: radiusAttributes.vendorSpecific, value };
}

export function textOf(packet: RadiusPacket, type: number): string | undefined {
  const attribute = packet.attributes.find((candidate) => candidate.type === type);
  return attribute === undefined ? undefined : attribute.value.toString('utf8');
}

/** An integer attribute (4 bytes); undefined when absent or not 4 bytes long. */
export function integerOf(packet: RadiusPacket, type: number): number | undefined {
  const attribute = packet.attributes.find((candidate) => candidate.type === type);
  return attribute === undefined || attribute.value.length !== 4 ? undefined
    : attribute.value.readUInt32BE(0);
}
