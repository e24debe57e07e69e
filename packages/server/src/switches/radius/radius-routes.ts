import type { GrantAnswer } from '@tollgate/core';
import { routeAttemptLimits } from '../route-attempts.ts';
import {
  radiusAttributes as attr,
  vendorAttribute,
  type RadiusAttribute,
  type RadiusPacket,
} from './radius-packet.ts';

/**
 * Routes over RADIUS (docs/integrations/radius.md, "Routes"), as Cisco-AVPair (vendor 9,
 * attribute 1) `key=value` strings, the form Cisco-style NASes and FreeRADIUS dictionaries
 * carry. The Access-Accept of a routed call lists the carriers in the order to try them:
 * `tollgate-route-<n>=<gateway>` and `tollgate-carrier-<n>=<carrier id>`, n from 1. A NAS that
 * fails over names the carrier it moves to in the next Access-Request
 * (`tollgate-carrier=<carrier id>`, with a new Acct-Session-Id) and stops the failed leg with
 * Acct-Session-Time 0, which is free and counts against that carrier's quality.
 */
const ciscoVendorId = 9;
const ciscoAvPair = 1;
/** A vendor sub-attribute holds at most 247 bytes of text (RFC 2865 section 5.26). */
const avPairBytesMax = 247;

export function routeAttributesOf(grant: GrantAnswer): {
  attributes: RadiusAttribute[];
  tooLong: string[];
} {
  if (grant.route === undefined) return { attributes: [], tooLong: [] };
  const routes = [grant.route, ...grant.fallbacks ?? []].slice(0, routeAttemptLimits.attemptsMax);
  const attributes: RadiusAttribute[] = [];
  const tooLong: string[] = [];
  for (const route of routes) {
    const position = attributes.length / 2 + 1;
    const gateway = `tollgate-route-${position}=${route.gateway}`;
    if (Buffer.byteLength(gateway) > avPairBytesMax) {
      tooLong.push(route.carrierId);
      continue;
    }
    const carrier = `tollgate-carrier-${position}=${route.carrierId}`;
    attributes.push(vendorAttribute(ciscoVendorId, ciscoAvPair, gateway),
      vendorAttribute(ciscoVendorId, ciscoAvPair, carrier));
  }
  return { attributes, tooLong };
}

/** The carrier an Access-Request names (`Cisco-AVPair = "tollgate-carrier=<id>"`), if any. */
export function namedCarrierOf(packet: RadiusPacket): string | undefined {
  for (const attribute of packet.attributes) {
    if (attribute.type !== attr.vendorSpecific || attribute.value.length < 8) continue;
    if (attribute.value.readUInt32BE(0) !== ciscoVendorId || attribute.value[4] !== ciscoAvPair) {
      continue;
    }
    const text = attribute.value.subarray(6).toString('utf8');
    if (text.startsWith('tollgate-carrier=')) return text.slice('tollgate-carrier='.length);
  }
  return undefined;
}
