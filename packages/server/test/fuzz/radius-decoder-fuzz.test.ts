import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  verifyAccountingAuthenticator,
  verifyMessageAuthenticator,
} from '../../src/switches/radius/radius-authenticators.ts';
import { decodeRadius, radiusDecodeCodes } from '../../src/switches/radius/radius-packet.ts';
import { radiusSecret } from '../switches/radius-harness.ts';
import { caseCounter, fuzzParameters, fuzzSeed, fuzzTimeoutMs } from './fuzz-settings.ts';
import { editedRequests, mutatedRequests } from './radius-packets.ts';

/**
 * The RADIUS decoder and integrity checks in process. Decoding never throws: a packet is read
 * or refused with one of the stable drop codes; the checks never throw on what decodes; and a
 * packet signed by an independent signer passes them, so the server fuzz reaches the handlers.
 */

const ciRuns = 3_000;
const secret = Buffer.from(radiusSecret);

describe(`RADIUS decoder fuzz (seed ${fuzzSeed})`, () => {
  it('decodes or refuses mutated packets with a stable code, and never throws', () => {
    const counter = caseCounter('radius decoder, byte mutations');
    const seen = { read: 0, refused: 0 };
    fc.assert(fc.property(mutatedRequests, (bytes) => {
      counter.count();
      const decoded = decodeRadius(bytes);
      if (!decoded.ok) {
        expect(radiusDecodeCodes).toContain(decoded.code);
        seen.refused += 1;
        return;
      }
      seen.read += 1;
      const { packet } = decoded;
      expect(packet.raw.length).toBe(bytes.readUInt16BE(2));
      const attributeBytes = packet.attributes.reduce((sum, item) => sum + item.value.length + 2,
        0);
      expect(20 + attributeBytes).toBe(packet.raw.length);
      // The checks run on whatever decodes: they answer, they do not throw.
      expect(typeof verifyMessageAuthenticator(packet, secret)).toBe('boolean');
      expect(typeof verifyAccountingAuthenticator(packet, secret)).toBe('boolean');
    }), fuzzParameters(ciRuns));
    counter.report();
    expect(Math.min(seen.read, seen.refused)).toBeGreaterThan(0);
  }, fuzzTimeoutMs(ciRuns, 2));

  it('decodes every edited packet, and its signatures verify', () => {
    const counter = caseCounter('radius decoder, attribute edits');
    fc.assert(fc.property(editedRequests, (bytes) => {
      counter.count();
      const decoded = decodeRadius(bytes);
      expect(decoded.ok).toBe(true);
      if (!decoded.ok) return;
      const { packet } = decoded;
      if (packet.code !== 1) expect(verifyAccountingAuthenticator(packet, secret)).toBe(true);
      const authenticator = packet.attributes.find((item) => item.type === 80);
      if (authenticator?.value.length === 16 && (packet.code === 1 || packet.code === 4)) {
        expect(verifyMessageAuthenticator(packet, secret)).toBe(true);
      }
    }), fuzzParameters(ciRuns));
    counter.report();
  }, fuzzTimeoutMs(ciRuns, 2));
});
