import { childrenOf, findAvp, findAvps, textOf, unsigned32Of } from './avp-read.ts';
import type { LocalIdentity } from './base-answers.ts';
import { avp, type Avp, type OutAvp } from './diameter-codec.ts';
import { applicationIds, resultCodes } from './diameter-constants.ts';
import { vendor3gpp } from './avp-dictionary.ts';

/** Which peers may connect: any (the default, protocols.md 9.7) or an allow-list of hosts. */
export interface PeerPolicy {
  readonly acceptUnknownPeers: boolean;
  /** Origin-Host values always accepted (lower-cased). */
  readonly allowedPeers: ReadonlySet<string>;
}

export type CapabilitiesOutcome =
  | { readonly ok: true; readonly peerHost: string; readonly peerRealm: string }
  | { readonly ok: false; readonly resultCode: number; readonly message: string };

/** Every application id a CER advertises, plain or inside Vendor-Specific-Application-Id. */
function advertisedApplications(avps: readonly Avp[]): number[] {
  const plain = [...findAvps(avps, 'Auth-Application-Id'), ...findAvps(avps,
    'Acct-Application-Id')].map(unsigned32Of);
  const vendorSpecific = findAvps(avps, 'Vendor-Specific-Application-Id').flatMap((group) => {
    const children = childrenOf(group);
    return [...findAvps(children, 'Auth-Application-Id'),
      ...findAvps(children, 'Acct-Application-Id')].map(unsigned32Of);
  });
  return [...plain, ...vendorSpecific];
}

/**
 * Checks a CER. Lenient where real peers differ (protocols.md 1.5: Kamailio's cdp once sent
 * no Host-IP-Address; freeDiameter advertises only Relay), strict on who the peer is.
 */
export function checkCapabilities(cer: readonly Avp[], policy: PeerPolicy): CapabilitiesOutcome {
  const host = findAvp(cer, 'Origin-Host');
  const realm = findAvp(cer, 'Origin-Realm');
  if (host === undefined || realm === undefined) {
    return { ok: false, resultCode: resultCodes.missingAvp,
      message: 'CER needs Origin-Host and Origin-Realm' };
  }
  const peerHost = textOf(host);
  if (!policy.acceptUnknownPeers && !policy.allowedPeers.has(peerHost.toLowerCase())) {
    return { ok: false, resultCode: resultCodes.unknownPeer,
      message: `peer ${peerHost.slice(0, 100)} is not configured` };
  }
  const applications = advertisedApplications(cer);
  if (!applications.includes(applicationIds.creditControl) &&
    !applications.includes(applicationIds.relay)) {
    return { ok: false, resultCode: resultCodes.noCommonApplication,
      message: 'Tollgate serves only Diameter Credit-Control (application 4)' };
  }
  return { ok: true, peerHost, peerRealm: textOf(realm) };
}

/** What Tollgate advertises in its CEA: application 4 both plainly and for 3GPP (Ro/Gy). */
export function capabilitiesAvps(local: LocalIdentity, hostAddress: string): OutAvp[] {
  return [
    avp('Origin-Host', local.originHost),
    avp('Origin-Realm', local.originRealm),
    avp('Host-IP-Address', hostAddress),
    avp('Vendor-Id', 0),
    avp('Product-Name', local.productName),
    avp('Origin-State-Id', local.originStateId),
    avp('Supported-Vendor-Id', vendor3gpp),
    avp('Auth-Application-Id', applicationIds.creditControl),
    avp('Vendor-Specific-Application-Id', [avp('Vendor-Id', vendor3gpp),
      avp('Auth-Application-Id', applicationIds.creditControl)]),
    avp('Firmware-Revision', 1),
  ];
}
