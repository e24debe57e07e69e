/** Header flags (RFC 6733 3). */
export const messageFlags = {
  request: 0x80,
  proxiable: 0x40,
  error: 0x20,
  retransmitted: 0x10,
} as const;

/** The four low header flag bits are reserved: a sender must clear them. */
export const reservedMessageFlagsMask = 0x0f;

/** AVP flags (RFC 6733 4.1). */
export const avpFlags = { vendor: 0x80, mandatory: 0x40, protected: 0x20 } as const;

export const commandCodes = {
  capabilitiesExchange: 257,
  reAuth: 258,
  creditControl: 272,
  abortSession: 274,
  deviceWatchdog: 280,
  disconnectPeer: 282,
} as const;

export const applicationIds = {
  common: 0,
  creditControl: 4,
  relay: 0xffff_ffff,
} as const;

/** Result codes Tollgate sends (protocols.md 1.3). */
export const resultCodes = {
  success: 2001,
  commandUnsupported: 3001,
  unableToDeliver: 3002,
  tooBusy: 3004,
  applicationUnsupported: 3007,
  invalidHeaderBits: 3008,
  invalidAvpBits: 3009,
  unknownPeer: 3010,
  endUserServiceDenied: 4010,
  creditControlNotApplicable: 4011,
  creditLimitReached: 4012,
  avpUnsupported: 5001,
  unknownSessionId: 5002,
  invalidAvpValue: 5004,
  missingAvp: 5005,
  avpOccursTooManyTimes: 5009,
  noCommonApplication: 5010,
  unsupportedVersion: 5011,
  unableToComply: 5012,
  invalidAvpLength: 5014,
  invalidMessageLength: 5015,
  userUnknown: 5030,
  ratingFailed: 5031,
} as const;

export type ResultCode = (typeof resultCodes)[keyof typeof resultCodes];

/** Protocol errors (3xxx) are sent with the E bit and the generic answer format. */
export function isProtocolError(resultCode: number): boolean {
  return resultCode >= 3000 && resultCode < 4000;
}

export const ccRequestTypes = { initial: 1, update: 2, termination: 3, event: 4 } as const;

export const subscriptionIdTypes = {
  e164: 0,
  imsi: 1,
  sipUri: 2,
  nai: 3,
  private: 4,
} as const;

export const finalUnitActions = { terminate: 0, redirect: 1, restrictAccess: 2 } as const;

export const requestedActions = {
  directDebiting: 0,
  refundAccount: 1,
  checkBalance: 2,
  priceEnquiry: 3,
} as const;

export const disconnectCauses = { rebooting: 0, busy: 1, doNotWantToTalkToYou: 2 } as const;

/** The Diameter header is 20 bytes; an AVP header 8, or 12 with a Vendor-Id. */
export const headerBytes = 20;
export const avpHeaderBytes = 8;
export const avpVendorHeaderBytes = 12;
