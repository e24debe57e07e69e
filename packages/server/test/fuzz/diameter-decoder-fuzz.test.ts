import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkCapabilities } from '../../src/diameter/capabilities.ts';
import { parseCreditControlRequest } from '../../src/diameter/ccr-parse.ts';
import { decodeMessage, DiameterDecodeError } from '../../src/diameter/diameter-codec.ts';
import { FrameReader } from '../../src/diameter/frame-reader.ts';
import { asRequest, editedFrames, mutatedFrames } from './diameter-frames.ts';
import { caseCounter, fuzzParameters, fuzzSeed, fuzzTimeoutMs } from './fuzz-settings.ts';

/**
 * The Diameter decoder in process: framing, the codec, the CCR reader and the CER check see
 * mutated real frames and AVP-edited ones. The only failure they may report is a
 * DiameterDecodeError carrying a protocol result code (3xxx or 5xxx), which the server turns
 * into an answer; anything else thrown would cost the peer its connection.
 */

const ciRuns = 3_000;
const policy = { acceptUnknownPeers: true, allowedPeers: new Set<string>() };

/** What the server does with one whole frame, up to the charging call. */
function readFrame(frame: Buffer): 'read' | 'refused' {
  try {
    const message = decodeMessage(frame);
    if (message.commandCode === 272) parseCreditControlRequest(message.avps);
    if (message.commandCode === 257) checkCapabilities(message.avps, policy);
    return 'read';
  } catch (error) {
    if (!(error instanceof DiameterDecodeError)) throw error;
    expect(error.resultCode).toBeGreaterThanOrEqual(3000);
    expect(error.resultCode).toBeLessThan(6000);
    return 'refused';
  }
}

describe(`Diameter decoder fuzz (seed ${fuzzSeed})`, () => {
  it('mutated frames are cut, read or refused with a result code; nothing else is thrown',
    () => {
      const counter = caseCounter('diameter decoder, byte mutations');
      const seen = { read: 0, refused: 0, unframed: 0 };
      fc.assert(fc.property(mutatedFrames, fc.nat({ max: 64 }), (frame, split) => {
        counter.count();
        // Two reads, cut anywhere: framing must not depend on how TCP delivers the bytes.
        const reader = new FrameReader(65_536);
        const first = reader.push(frame.subarray(0, split));
        const second = first.ok ? reader.push(frame.subarray(split)) : first;
        const frames = [...first.frames, ...(first.ok ? second.frames : [])];
        if (!second.ok || frames.length === 0) seen.unframed += 1;
        for (const whole of frames) seen[readFrame(whole)] += 1;
        expect(reader.pendingBytes).toBeLessThanOrEqual(65_536);
      }), fuzzParameters(ciRuns));
      counter.report();
      // The mutations reach every outcome, so the property tests something.
      expect(Math.min(seen.read, seen.refused, seen.unframed)).toBeGreaterThan(0);
    }, fuzzTimeoutMs(ciRuns, 2));

  it('AVP-edited frames always decode, and the CCR reader reads or refuses them', () => {
    const counter = caseCounter('diameter decoder, AVP edits');
    const seen = { read: 0, refused: 0 };
    fc.assert(fc.property(editedFrames, (frame) => {
      counter.count();
      // The codec encoded it, so framing and the top level hold; the values are the fuzz.
      expect(asRequest(frame).equals(frame)).toBe(true);
      expect(decodeMessage(frame).avps.length).toBeGreaterThanOrEqual(0);
      seen[readFrame(frame)] += 1;
    }), fuzzParameters(ciRuns));
    counter.report();
    expect(Math.min(seen.read, seen.refused)).toBeGreaterThan(0);
  }, fuzzTimeoutMs(ciRuns, 2));
});
