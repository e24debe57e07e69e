/**
 * The AVPs Tollgate knows: RFC 6733 base, RFC 4006/8506 credit control, the few NASREQ ones
 * credit-control clients send, and the 3GPP TS 32.299 Ro AVPs Kamailio's ims_charging sends.
 * Codes, vendors and types were checked against Wireshark's bundled dictionary (protocols.md
 * 1.4). `mandatory` is the M bit Tollgate sets when it sends the AVP.
 */

export type AvpType =
  | 'OctetString'
  | 'UTF8String'
  | 'DiameterIdentity'
  | 'DiameterURI'
  | 'IPFilterRule'
  | 'Integer32'
  | 'Integer64'
  | 'Unsigned32'
  | 'Unsigned64'
  | 'Enumerated'
  | 'Time'
  | 'Address'
  | 'Grouped';

export interface AvpDefinition {
  readonly code: number;
  readonly vendorId: number;
  readonly type: AvpType;
  readonly mandatory: boolean;
}

export const vendor3gpp = 10415;

type Row = readonly [code: number, type: AvpType, vendorId?: number, mandatory?: boolean];

const rows = {
  // RFC 6733 base and the RADIUS-derived AVPs it reuses.
  'User-Name': [1, 'UTF8String'],
  'Class': [25, 'OctetString'],
  'Session-Timeout': [27, 'Unsigned32'],
  'Proxy-State': [33, 'OctetString'],
  'Event-Timestamp': [55, 'Time'],
  'Host-IP-Address': [257, 'Address'],
  'Auth-Application-Id': [258, 'Unsigned32'],
  'Acct-Application-Id': [259, 'Unsigned32'],
  'Vendor-Specific-Application-Id': [260, 'Grouped'],
  'Redirect-Host-Usage': [261, 'Enumerated'],
  'Redirect-Max-Cache-Time': [262, 'Unsigned32'],
  'Session-Id': [263, 'UTF8String'],
  'Origin-Host': [264, 'DiameterIdentity'],
  'Supported-Vendor-Id': [265, 'Unsigned32'],
  'Vendor-Id': [266, 'Unsigned32'],
  'Firmware-Revision': [267, 'Unsigned32', 0, false],
  'Result-Code': [268, 'Unsigned32'],
  'Product-Name': [269, 'UTF8String', 0, false],
  'Session-Binding': [270, 'Unsigned32'],
  'Session-Server-Failover': [271, 'Enumerated'],
  'Multi-Round-Time-Out': [272, 'Unsigned32'],
  'Disconnect-Cause': [273, 'Enumerated'],
  'Auth-Request-Type': [274, 'Enumerated'],
  'Auth-Grace-Period': [276, 'Unsigned32'],
  'Auth-Session-State': [277, 'Enumerated'],
  'Origin-State-Id': [278, 'Unsigned32'],
  'Failed-AVP': [279, 'Grouped'],
  'Proxy-Host': [280, 'DiameterIdentity'],
  'Error-Message': [281, 'UTF8String', 0, false],
  'Route-Record': [282, 'DiameterIdentity'],
  'Destination-Realm': [283, 'DiameterIdentity'],
  'Proxy-Info': [284, 'Grouped'],
  'Re-Auth-Request-Type': [285, 'Enumerated'],
  'Accounting-Sub-Session-Id': [287, 'Unsigned64'],
  'Authorization-Lifetime': [291, 'Unsigned32'],
  'Redirect-Host': [292, 'DiameterURI'],
  'Destination-Host': [293, 'DiameterIdentity'],
  'Error-Reporting-Host': [294, 'DiameterIdentity', 0, false],
  'Termination-Cause': [295, 'Enumerated'],
  'Origin-Realm': [296, 'DiameterIdentity'],
  'Experimental-Result': [297, 'Grouped'],
  'Experimental-Result-Code': [298, 'Unsigned32'],
  'Inband-Security-Id': [299, 'Unsigned32'],
  'Accounting-Record-Type': [480, 'Enumerated'],
  'Accounting-Realtime-Required': [483, 'Enumerated'],
  'Accounting-Record-Number': [485, 'Unsigned32'],
  // NASREQ AVPs that credit-control clients put in CCRs.
  'Filter-Id': [11, 'UTF8String'],
  'Called-Station-Id': [30, 'UTF8String'],
  'Calling-Station-Id': [31, 'UTF8String'],
  // RFC 4006 / RFC 8506 credit control.
  'CC-Correlation-Id': [411, 'OctetString', 0, false],
  'CC-Input-Octets': [412, 'Unsigned64'],
  'CC-Money': [413, 'Grouped'],
  'CC-Output-Octets': [414, 'Unsigned64'],
  'CC-Request-Number': [415, 'Unsigned32'],
  'CC-Request-Type': [416, 'Enumerated'],
  'CC-Service-Specific-Units': [417, 'Unsigned64'],
  'CC-Session-Failover': [418, 'Enumerated'],
  'CC-Sub-Session-Id': [419, 'Unsigned64'],
  'CC-Time': [420, 'Unsigned32'],
  'CC-Total-Octets': [421, 'Unsigned64'],
  'Check-Balance-Result': [422, 'Enumerated'],
  'Cost-Information': [423, 'Grouped'],
  'Cost-Unit': [424, 'UTF8String'],
  'Currency-Code': [425, 'Unsigned32'],
  'Credit-Control': [426, 'Enumerated'],
  'Credit-Control-Failure-Handling': [427, 'Enumerated'],
  'Direct-Debiting-Failure-Handling': [428, 'Enumerated'],
  'Exponent': [429, 'Integer32'],
  'Final-Unit-Indication': [430, 'Grouped'],
  'Granted-Service-Unit': [431, 'Grouped'],
  'Rating-Group': [432, 'Unsigned32'],
  'Redirect-Address-Type': [433, 'Enumerated'],
  'Redirect-Server': [434, 'Grouped'],
  'Redirect-Server-Address': [435, 'UTF8String'],
  'Requested-Action': [436, 'Enumerated'],
  'Requested-Service-Unit': [437, 'Grouped'],
  'Restriction-Filter-Rule': [438, 'IPFilterRule'],
  'Service-Identifier': [439, 'Unsigned32'],
  'Service-Parameter-Info': [440, 'Grouped', 0, false],
  'Service-Parameter-Type': [441, 'Unsigned32', 0, false],
  'Service-Parameter-Value': [442, 'OctetString', 0, false],
  'Subscription-Id': [443, 'Grouped'],
  'Subscription-Id-Data': [444, 'UTF8String'],
  'Unit-Value': [445, 'Grouped'],
  'Used-Service-Unit': [446, 'Grouped'],
  'Value-Digits': [447, 'Integer64'],
  'Validity-Time': [448, 'Unsigned32'],
  'Final-Unit-Action': [449, 'Enumerated'],
  'Subscription-Id-Type': [450, 'Enumerated'],
  'Tariff-Time-Change': [451, 'Time'],
  'Tariff-Change-Usage': [452, 'Enumerated'],
  'G-S-U-Pool-Identifier': [453, 'Unsigned32'],
  'CC-Unit-Type': [454, 'Enumerated'],
  'Multiple-Services-Indicator': [455, 'Enumerated'],
  'Multiple-Services-Credit-Control': [456, 'Grouped'],
  'G-S-U-Pool-Reference': [457, 'Grouped'],
  'User-Equipment-Info': [458, 'Grouped', 0, false],
  'User-Equipment-Info-Type': [459, 'Enumerated', 0, false],
  'User-Equipment-Info-Value': [460, 'OctetString', 0, false],
  'Service-Context-Id': [461, 'UTF8String'],
  // 3GPP TS 32.299 Ro (vendor 10415).
  'Event-Type': [823, 'Grouped', vendor3gpp],
  'SIP-Method': [824, 'UTF8String', vendor3gpp],
  'Event': [825, 'UTF8String', vendor3gpp],
  'Role-Of-Node': [829, 'Enumerated', vendor3gpp],
  'User-Session-Id': [830, 'UTF8String', vendor3gpp],
  'Calling-Party-Address': [831, 'UTF8String', vendor3gpp],
  'Called-Party-Address': [832, 'UTF8String', vendor3gpp],
  'Time-Stamps': [833, 'Grouped', vendor3gpp],
  'SIP-Request-Timestamp': [834, 'Time', vendor3gpp],
  'SIP-Response-Timestamp': [835, 'Time', vendor3gpp],
  'IMS-Charging-Identifier': [841, 'UTF8String', vendor3gpp],
  'Trunk-Group-Id': [851, 'Grouped', vendor3gpp],
  'Incoming-Trunk-Group-Id': [852, 'UTF8String', vendor3gpp],
  'Outgoing-Trunk-Group-Id': [853, 'UTF8String', vendor3gpp],
  'Node-Functionality': [862, 'Enumerated', vendor3gpp],
  'Time-Quota-Threshold': [868, 'Unsigned32', vendor3gpp],
  'Trigger-Type': [870, 'Enumerated', vendor3gpp],
  'Quota-Holding-Time': [871, 'Unsigned32', vendor3gpp],
  '3GPP-Reporting-Reason': [872, 'Enumerated', vendor3gpp],
  'Service-Information': [873, 'Grouped', vendor3gpp],
  'IMS-Information': [876, 'Grouped', vendor3gpp],
  'Trigger': [1264, 'Grouped', vendor3gpp],
} as const satisfies Record<string, Row>;

export type AvpName = keyof typeof rows;

function definitionOf(row: Row): AvpDefinition {
  return { code: row[0], type: row[1], vendorId: row[2] ?? 0, mandatory: row[3] ?? true };
}

export const avpDefinitions: Readonly<Record<AvpName, AvpDefinition>> = Object.fromEntries(
  Object.entries(rows).map(([name, row]) => [name, definitionOf(row)]),
) as Record<AvpName, AvpDefinition>;

interface KnownAvp {
  readonly name: AvpName;
  readonly definition: AvpDefinition;
}

/** Vendor, then code: no string key is built per lookup (one per received AVP). */
const byVendor = new Map<number, Map<number, KnownAvp>>();
for (const name of Object.keys(avpDefinitions) as AvpName[]) {
  const definition = avpDefinitions[name];
  const codes = byVendor.get(definition.vendorId) ?? new Map<number, KnownAvp>();
  codes.set(definition.code, { name, definition });
  byVendor.set(definition.vendorId, codes);
}

/** The AVP's name and definition, or undefined for an AVP Tollgate does not know. */
export function lookupAvp(code: number, vendorId: number): KnownAvp | undefined {
  return byVendor.get(vendorId)?.get(code);
}

export const avpCount = Object.keys(avpDefinitions).length;
