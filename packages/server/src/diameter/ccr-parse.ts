import { lookupAvp, type AvpName } from './avp-dictionary.ts';
import {
  childrenOf,
  findAvp,
  findAvps,
  integer32Of,
  missingAvp,
  requireAvp,
  requireSingleUnsigned32,
  textOf,
  unsigned32Of,
} from './avp-read.ts';
import { DiameterDecodeError, echoAvp, type Avp, type OutAvp } from './diameter-codec.ts';
import {
  avpFlags,
  ccRequestTypes,
  requestedActions,
  resultCodes,
} from './diameter-constants.ts';

export interface SubscriptionId {
  readonly type: number;
  readonly data: string;
}

/** What Tollgate needs of a CCR (RFC 4006 3.1 with the 3GPP Ro additions). */
export interface CreditControlRequest {
  readonly sessionId: string;
  readonly requestType: 1 | 2 | 3 | 4;
  readonly requestNumber: number;
  readonly subscriptionIds: readonly SubscriptionId[];
  /** Called-Party-Address (Ro) or Called-Station-Id, as sent; null when absent. */
  readonly calledParty: string | null;
  /** RSU CC-Time (first MSCC, else top level); null when not asked in seconds. */
  readonly requestedSeconds: number | null;
  /** The sum of USU CC-Time of this report (per report, not cumulative: protocols.md 9.1). */
  readonly usedSeconds: number;
  readonly requestedAction: number;
  /** Service-Identifier and Rating-Group of the first MSCC, echoed in the answer's MSCC. */
  readonly service: {
    readonly present: boolean;
    readonly serviceIdentifiers: readonly number[];
    readonly ratingGroup: number | null;
  };
}

/** Bounds on what a CCR may carry (conventions: a limit on everything). */
export const ccrLimits = {
  subscriptionIdsMax: 8,
  sessionIdLengthMax: 200,
  serviceIdentifiersMax: 16,
} as const;

function unitsSeconds(group: Avp | undefined): number | null {
  if (group === undefined) return null;
  const time = findAvp(childrenOf(group), 'CC-Time');
  return time === undefined ? null : unsigned32Of(time);
}

function subscriptionIdsOf(avps: readonly Avp[]): SubscriptionId[] {
  return findAvps(avps, 'Subscription-Id').slice(0, ccrLimits.subscriptionIdsMax).map((group) => {
    const children = childrenOf(group);
    return { type: integer32Of(requireIn(children, 'Subscription-Id-Type', group)),
      data: textOf(requireIn(children, 'Subscription-Id-Data', group)) };
  });
}

/** A child a group must carry: 5005 naming the group when it does not. */
function requireIn(children: readonly Avp[], name: AvpName, group: Avp): Avp {
  const found = findAvp(children, name);
  if (found === undefined) {
    throw new DiameterDecodeError(resultCodes.missingAvp, `${name} is missing in a group`,
      withChild(group, missingAvp(name)));
  }
  return found;
}

function withChild(group: Avp, child: OutAvp): OutAvp {
  return { code: group.code, vendorId: group.vendorId, flags: group.flags, data: [child] };
}

/** Called-Party-Address inside Service-Information / IMS-Information, else Called-Station-Id. */
function calledPartyOf(avps: readonly Avp[]): string | null {
  for (const information of findAvps(avps, 'Service-Information').slice(0, 2)) {
    for (const ims of findAvps(childrenOf(information), 'IMS-Information').slice(0, 2)) {
      const called = findAvp(childrenOf(ims, 2), 'Called-Party-Address');
      if (called !== undefined) return textOf(called);
    }
  }
  const station = findAvp(avps, 'Called-Station-Id');
  return station === undefined ? null : textOf(station);
}

function usedSecondsOf(units: readonly Avp[]): number {
  let total = 0;
  for (const used of units.slice(0, ccrLimits.serviceIdentifiersMax)) {
    total += unitsSeconds(used) ?? 0;
  }
  return total;
}

/**
 * Reads a CCR. Strict on what moves money (Session-Id, request type and number, units: 5005
 * when missing, 5004/5009 when contradictory); lenient on the rest (protocols.md 1.5: no
 * top-level Auth-Application-Id from Kamailio, repeated Origin-Host, accounting AVPs).
 */
export function parseCreditControlRequest(avps: readonly Avp[]): CreditControlRequest {
  rejectUnknownMandatory(avps);
  const sessionAvp = requireAvp(avps, 'Session-Id');
  const sessionId = textOf(sessionAvp);
  requireAvp(avps, 'Origin-Host');
  requireAvp(avps, 'Origin-Realm');
  const requestType = requireSingleUnsigned32(avps, 'CC-Request-Type');
  if (!Object.values(ccRequestTypes).includes(requestType as 1)) {
    throw new DiameterDecodeError(resultCodes.invalidAvpValue, 'unknown CC-Request-Type',
      echoAvp(findAvp(avps, 'CC-Request-Type')!));
  }
  const requestNumber = requireSingleUnsigned32(avps, 'CC-Request-Number');
  const mscc = findAvp(avps, 'Multiple-Services-Credit-Control');
  const msccChildren = mscc === undefined ? [] : childrenOf(mscc);
  const scope = mscc === undefined ? avps : msccChildren;
  const action = findAvp(avps, 'Requested-Action');
  const ratingGroup = findAvp(msccChildren, 'Rating-Group');
  return {
    sessionId,
    requestType: requestType as CreditControlRequest['requestType'],
    requestNumber,
    subscriptionIds: subscriptionIdsOf(avps),
    calledParty: calledPartyOf(avps),
    requestedSeconds: unitsSeconds(findAvp(scope, 'Requested-Service-Unit')),
    usedSeconds: usedSecondsOf(findAvps(scope, 'Used-Service-Unit')),
    requestedAction: action === undefined ? requestedActions.directDebiting
      : integer32Of(action),
    service: {
      present: mscc !== undefined,
      serviceIdentifiers: findAvps(msccChildren, 'Service-Identifier')
        .slice(0, ccrLimits.serviceIdentifiersMax).map(unsigned32Of),
      ratingGroup: ratingGroup === undefined ? null : unsigned32Of(ratingGroup),
    },
  };
}

/**
 * An AVP Tollgate does not know, flagged mandatory, at the top level of a CCR: 5001 (RFC 6733
 * 4.1). Inside groups Tollgate only reads what it knows, so unknown children are left alone
 * (Kamailio's IMS-Information carries several, protocols.md 9.6).
 */
function rejectUnknownMandatory(avps: readonly Avp[]): void {
  const unknown = avps.find((candidate) => (candidate.flags & avpFlags.mandatory) !== 0 &&
    lookupAvp(candidate.code, candidate.vendorId) === undefined);
  if (unknown !== undefined) {
    throw new DiameterDecodeError(resultCodes.avpUnsupported,
      `AVP ${unknown.code} (vendor ${unknown.vendorId}) is not supported`, echoAvp(unknown));
  }
}

/** The called number as digits: the user part of a SIP or tel URI, without a leading '+'. */
export function calledDigits(calledParty: string): string | null {
  const withoutScheme = calledParty.replace(/^(sips?|tel):/i, '');
  const user = withoutScheme.split(/[@;?]/, 1)[0] ?? '';
  const digits = user.replace(/^\+/, '').replace(/[-.()]/g, '');
  return /^\d{1,32}$/.test(digits) ? digits : null;
}
