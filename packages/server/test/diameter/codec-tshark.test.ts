import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { micros } from '@tollgate/core';
import { avpCount } from '../../src/diameter/avp-dictionary.ts';
import {
  childrenOf,
  findAvp,
  findAvps,
  integer64Of,
  textOf,
  unsigned32Of,
} from '../../src/diameter/avp-read.ts';
import { decodeAddress, decodeTime, decodeUnsigned64 } from '../../src/diameter/avp-values.ts';
import { encodeErrorAnswer } from '../../src/diameter/base-answers.ts';
import { capabilitiesAvps } from '../../src/diameter/capabilities.ts';
import { ccaHead, costInformationOf, grantAvps } from '../../src/diameter/cca-build.ts';
import { parseCreditControlRequest } from '../../src/diameter/ccr-parse.ts';
import {
  avp,
  decodeMessage,
  DiameterDecodeError,
  encodeMessage,
} from '../../src/diameter/diameter-codec.ts';
import { tsharkFields } from './tshark-oracle.ts';

const local = { originHost: 'ocs.test.local', originRealm: 'test.local',
  productName: 'Tollgate', originStateId: 1_764_400_000 };

const eventSeconds = 1_700_000_000; // 2023-11-14 22:13:20 UTC
const bigOctets = (1n << 63n) + 5n;

/** A CCR-I shaped like Kamailio's (protocols.md 2.2), plus every basic type at least once. */
function ccrInitial(): Buffer {
  return encodeMessage({ flags: 0xc0, commandCode: 272, applicationId: 4,
    hopByHopId: 0x0102_0304, endToEndId: 0xfedc_ba98 }, [
    avp('Session-Id', 'kamailio.test.local;4111084693;1'),
    avp('Origin-Host', 'kamailio.test.local'),
    avp('Origin-Realm', 'test.local'),
    avp('Destination-Realm', 'test.local'),
    avp('Auth-Application-Id', 4),
    avp('Service-Context-Id', 'ext.01.001.8.32260@3gpp.org'),
    avp('CC-Request-Type', 1),
    avp('CC-Request-Number', 0),
    avp('Event-Timestamp', eventSeconds),
    avp('User-Name', 'sip:alice@127.0.0.1:5070'),
    avp('Host-IP-Address', '192.0.2.17'),
    avp('Host-IP-Address', '2001:db8::1'),
    avp('Subscription-Id', [avp('Subscription-Id-Type', 2),
      avp('Subscription-Id-Data', 'sip:alice@127.0.0.1:5070')]),
    avp('Multiple-Services-Credit-Control', [
      avp('Requested-Service-Unit', [avp('CC-Time', 10)]),
      avp('Used-Service-Unit', [avp('CC-Total-Octets', bigOctets)]),
      avp('Service-Identifier', 1000),
      avp('Rating-Group', 100),
    ]),
    avp('Cost-Information', [avp('Unit-Value', [avp('Value-Digits', -12_345n),
      avp('Exponent', -3)]), avp('Currency-Code', 978)]),
    avp('Service-Information', [avp('IMS-Information', [
      avp('Role-Of-Node', 0),
      avp('Calling-Party-Address', 'sip:alice@127.0.0.1'),
      avp('Called-Party-Address', 'sip:4420700000@127.0.0.1'),
      avp('Event-Type', [avp('SIP-Method', 'INVITE')]),
    ])]),
  ]);
}

const fields = ['diameter.cmd.code', 'diameter.flags.request', 'diameter.flags.proxyable',
  'diameter.flags.error', 'diameter.applicationId', 'diameter.hopbyhopid', 'diameter.endtoendid',
  'diameter.length', 'diameter.Session-Id', 'diameter.Origin-Host', 'diameter.CC-Request-Type',
  'diameter.CC-Request-Number', 'diameter.Event-Timestamp', 'diameter.Host-IP-Address.IPv4',
  'diameter.Host-IP-Address.IPv6', 'diameter.Subscription-Id-Type',
  'diameter.Subscription-Id-Data', 'diameter.CC-Time', 'diameter.CC-Total-Octets',
  'diameter.Service-Identifier', 'diameter.Rating-Group', 'diameter.Value-Digits',
  'diameter.Exponent', 'diameter.Currency-Code', 'diameter.Called-Party-Address',
  'diameter.3GPP-SIP-Method', 'diameter.Result-Code', 'diameter.Validity-Time',
  'diameter.Final-Unit-Action', 'diameter.Vendor-Id', 'diameter.Auth-Application-Id',
  'diameter.Product-Name', 'diameter.Failed-AVP', 'diameter.Error-Message',
  'diameter.avp.vendorId'] as const;

describe('Diameter codec against tshark', () => {
  it('the dictionary knows the base, credit-control and Ro AVPs used (about 80)', () => {
    expect(avpCount).toBeGreaterThanOrEqual(80);
  });

  it('a CCR-I with every basic type decodes the same in tshark and in Tollgate', () => {
    const frame = ccrInitial();
    const [decoded] = tsharkFields([frame], fields);
    expect(decoded!.expert).toEqual([]);
    const values = decoded!.values;
    expect(values['diameter.cmd.code']).toEqual(['272']);
    expect(values['diameter.flags.request']).toEqual(['1']);
    expect(values['diameter.flags.proxyable']).toEqual(['1']);
    expect(values['diameter.hopbyhopid']).toEqual(['0x01020304']);
    expect(values['diameter.endtoendid']).toEqual(['0xfedcba98']);
    expect(values['diameter.length']).toEqual([String(frame.length)]);
    expect(values['diameter.Session-Id']).toEqual(['kamailio.test.local;4111084693;1']);
    expect(values['diameter.CC-Request-Type']).toEqual(['1']);
    expect(values['diameter.CC-Request-Number']).toEqual(['0']);
    expect(values['diameter.Event-Timestamp']).toEqual(['Nov 14, 2023 22:13:20.000000000 UTC']);
    expect(values['diameter.Host-IP-Address.IPv4']).toEqual(['192.0.2.17']);
    expect(values['diameter.Host-IP-Address.IPv6']).toEqual(['2001:db8::1']);
    expect(values['diameter.Subscription-Id-Type']).toEqual(['2']);
    expect(values['diameter.CC-Time']).toEqual(['10']);
    expect(values['diameter.CC-Total-Octets']).toEqual([bigOctets.toString()]);
    expect(values['diameter.Service-Identifier']).toEqual(['1000']);
    expect(values['diameter.Rating-Group']).toEqual(['100']);
    expect(values['diameter.Value-Digits']).toEqual(['-12345']);
    expect(values['diameter.Exponent']).toEqual(['-3']);
    expect(values['diameter.Currency-Code']).toEqual(['978']);
    expect(values['diameter.Called-Party-Address']).toEqual(['sip:4420700000@127.0.0.1']);
    expect(values['diameter.3GPP-SIP-Method']).toEqual(['INVITE']);
    // Every AVP of the Service-Information tree, groups included, carries vendor 10415.
    expect(values['diameter.avp.vendorId']).toEqual(Array<string>(7).fill('10415'));

    // The same frame through Tollgate's decoder.
    const message = decodeMessage(frame);
    expect(message.hopByHopId).toBe(0x0102_0304);
    const mscc = childrenOf(findAvp(message.avps, 'Multiple-Services-Credit-Control')!);
    const used = childrenOf(findAvp(mscc, 'Used-Service-Unit')!);
    expect(decodeUnsigned64(findAvp(used, 'CC-Total-Octets')!.data)).toBe(bigOctets);
    expect(findAvps(message.avps, 'Host-IP-Address').map((found) => decodeAddress(found.data)))
      .toEqual(['192.0.2.17', '2001:db8:0:0:0:0:0:1']);
    expect(decodeTime(findAvp(message.avps, 'Event-Timestamp')!.data)).toBe(eventSeconds);
    const cost = childrenOf(findAvp(message.avps, 'Cost-Information')!);
    const unit = childrenOf(findAvp(cost, 'Unit-Value')!);
    expect(integer64Of(findAvp(unit, 'Value-Digits')!)).toBe(-12_345n);
    const parsed = parseCreditControlRequest(message.avps);
    expect(parsed).toMatchObject({ sessionId: 'kamailio.test.local;4111084693;1',
      requestType: 1, requestNumber: 0, requestedSeconds: 10,
      calledParty: 'sip:4420700000@127.0.0.1',
      subscriptionIds: [{ type: 2, data: 'sip:alice@127.0.0.1:5070' }],
      service: { present: true, serviceIdentifiers: [1000], ratingGroup: 100 } });
  });

  it('Tollgate\'s CEA, CCA and error answer decode cleanly in tshark', () => {
    const request = decodeMessage(ccrInitial());
    const ccr = parseCreditControlRequest(request.avps);
    const cea = encodeMessage({ flags: 0, commandCode: 257, applicationId: 0, hopByHopId: 7,
      endToEndId: 8 }, [avp('Result-Code', 2001), ...capabilitiesAvps(local, '127.0.0.1')]);
    const cca = encodeMessage({ flags: 0x40, commandCode: 272, applicationId: 4,
      hopByHopId: request.hopByHopId, endToEndId: request.endToEndId },
    [...ccaHead(local, ccr, 2001), ...grantAvps(ccr, { seconds: 9, final: true }),
      ...costInformationOf(micros(48_000n), 'EUR')]);
    const error = encodeErrorAnswer({ request, local, resultCode: 3007,
      message: 'application 5', failedAvp: avp('Auth-Application-Id', 5) });
    const [ceaFields, ccaFields, errorFields] = tsharkFields([cea, cca, error], fields);
    expect(ceaFields!.expert).toEqual([]);
    expect(ceaFields!.values['diameter.Result-Code']).toEqual(['2001']);
    expect(ceaFields!.values['diameter.Product-Name']).toEqual(['Tollgate']);
    expect(ceaFields!.values['diameter.Auth-Application-Id']).toEqual(['4', '4']);
    expect(ceaFields!.values['diameter.Vendor-Id']).toEqual(['0', '10415']);
    expect(ccaFields!.expert).toEqual([]);
    expect(ccaFields!.values['diameter.flags.request']).toEqual(['0']);
    expect(ccaFields!.values['diameter.Result-Code']).toEqual(['2001', '2001']);
    expect(ccaFields!.values['diameter.CC-Time']).toEqual(['9']);
    expect(ccaFields!.values['diameter.Validity-Time']).toEqual(['9']);
    expect(ccaFields!.values['diameter.Final-Unit-Action']).toEqual(['0']);
    expect(ccaFields!.values['diameter.Service-Identifier']).toEqual(['1000']);
    // 0.048 EUR as 48 x 10^-3: exact, without trailing zeros.
    expect(ccaFields!.values['diameter.Value-Digits']).toEqual(['48']);
    expect(ccaFields!.values['diameter.Exponent']).toEqual(['-3']);
    expect(ccaFields!.values['diameter.Currency-Code']).toEqual(['978']);
    expect(errorFields!.expert).toEqual([]);
    expect(errorFields!.values['diameter.flags.error']).toEqual(['1']);
    expect(errorFields!.values['diameter.Result-Code']).toEqual(['3007']);
    expect(errorFields!.values['diameter.Session-Id'])
      .toEqual(['kamailio.test.local;4111084693;1']);
    expect(errorFields!.values['diameter.Auth-Application-Id']).toEqual(['5']);
    const decodedCca = decodeMessage(cca);
    expect(unsigned32Of(findAvp(decodedCca.avps, 'Result-Code')!)).toBe(2001);
    expect(textOf(findAvp(decodedCca.avps, 'Session-Id')!))
      .toBe('kamailio.test.local;4111084693;1');
  });

  it('a real Kamailio CCR-I (captured) decodes the same in tshark and in Tollgate', () => {
    const frame = Buffer.from(readFileSync(new URL('./fixtures/kamailio-ccr-initial.hex',
      import.meta.url), 'utf8').trim(), 'hex');
    const [decoded] = tsharkFields([frame], fields);
    const values = decoded!.values;
    const parsed = parseCreditControlRequest(decodeMessage(frame).avps);
    expect(values['diameter.Session-Id']).toEqual([parsed.sessionId]);
    expect(values['diameter.CC-Request-Type']).toEqual([String(parsed.requestType)]);
    expect(values['diameter.CC-Request-Number']).toEqual([String(parsed.requestNumber)]);
    expect(values['diameter.CC-Time']).toEqual([String(parsed.requestedSeconds)]);
    expect(values['diameter.Called-Party-Address']).toEqual([parsed.calledParty]);
    // Subscription-Id twice (top level and in Service-Information), Origin-Host twice and no
    // top-level Auth-Application-Id: accepted as Kamailio sends them (protocols.md 1.5).
    expect(values['diameter.Subscription-Id-Data']).toHaveLength(2);
    expect(values['diameter.Origin-Host']).toHaveLength(2);
    expect(parsed.subscriptionIds.map((id) => id.data)).toEqual([
      values['diameter.Subscription-Id-Data']![1]]);
    expect(parsed.service).toEqual({ present: true, serviceIdentifiers: [1000],
      ratingGroup: 100 });
  });

  it('a corrupted AVP length is malformed for tshark and 5014 for Tollgate', () => {
    const frame = ccrInitial();
    frame.writeUInt16BE(0x0fff, 20 + 6); // the Session-Id AVP claims 4095 bytes
    const [decoded] = tsharkFields([frame], ['diameter.Session-Id']);
    expect(decoded!.expert.join(' ')).toMatch(/length/i);
    expect(() => decodeMessage(frame)).toThrow(DiameterDecodeError);
    try {
      decodeMessage(frame);
    } catch (error) {
      expect((error as DiameterDecodeError).resultCode).toBe(5014);
      expect((error as DiameterDecodeError).failedAvp?.code).toBe(263);
    }
  });
});
