import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCreditControlRequest } from '../../src/diameter/ccr-parse.ts';
import {
  avp,
  decodeMessage,
  DiameterDecodeError,
  encodeMessage,
} from '../../src/diameter/diameter-codec.ts';
import { FrameReader } from '../../src/diameter/frame-reader.ts';
import { account } from '../charging/charging-harness.ts';
import { deckOf, openDiameterHarness, perSecondDeck, type DiameterHarness } from
  './diameter-harness.ts';
import { ccrAvps } from './diameter-test-client.ts';

/**
 * Fuzzing the decoder and the server with random and mutated frames, bounded and seeded (the
 * seed is printed on failure): the decoder only ever throws DiameterDecodeError; the server
 * answers every request frame or closes the connection, never crashes and never hangs.
 */

const seed = Number(process.env['DIAMETER_FUZZ_SEED'] ?? Date.now() % 1_000_000);
const decoderIterations = 5_000;
const serverIterations = 400;

/** xorshift32: deterministic from the seed, so a failure can be replayed. */
function randomSource(start: number) {
  let state = (start | 0) || 1;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
  return { next, below: (limit: number) => Math.floor(next() * limit) };
}

const kamailioCcr = Buffer.from(readFileSync(new URL('./fixtures/kamailio-ccr-initial.hex',
  import.meta.url), 'utf8').trim(), 'hex');

function seedFrames(): Buffer[] {
  const header = { flags: 0x80, applicationId: 4, hopByHopId: 1, endToEndId: 1 };
  return [
    kamailioCcr,
    encodeMessage({ ...header, commandCode: 272 }, ccrAvps({ sessionId: 'fuzz;1', type: 2,
      number: 1, usedSeconds: 5, requestedSeconds: 10, called: 'sip:4420@x',
      subscription: { type: 2, data: 'sip:fuzz@127.0.0.1' } })),
    encodeMessage({ ...header, commandCode: 280, applicationId: 0 }, [avp('Origin-Host', 'f'),
      avp('Origin-Realm', 'r')]),
  ];
}

type Random = ReturnType<typeof randomSource>;

/** One of: flip bits, overwrite bytes, truncate, rewrite an AVP length, splice, or noise. */
function mutate(frame: Buffer, random: Random): Buffer {
  const out = Buffer.from(frame);
  switch (random.below(6)) {
    case 0:
      for (let flips = 1 + random.below(8); flips > 0; flips -= 1) {
        const index = random.below(out.length);
        out[index] = out[index]! ^ (1 << random.below(8));
      }
      return out;
    case 1:
      for (let writes = 1 + random.below(4); writes > 0; writes -= 1) {
        out[random.below(out.length)] = random.below(256);
      }
      return out;
    case 2:
      return out.subarray(0, random.below(out.length));
    case 3: {
      // An AVP length field somewhere after the header (offset 20 + 4k + 5..7).
      const offset = 20 + 4 * random.below(Math.max(1, (out.length - 28) / 4)) + 5;
      if (offset + 2 < out.length) out.writeUIntBE(random.below(1 << 24), offset, 3);
      return out;
    }
    case 4: {
      const cut = 20 + random.below(Math.max(1, out.length - 20));
      const resume = 20 + random.below(out.length - 20);
      return Buffer.concat([out.subarray(0, cut), out.subarray(resume)]);
    }
    default:
      return Buffer.from(Array.from({ length: random.below(300) }, () => random.below(256)));
  }
}

/** The frame with its header's length made true, version 1 and the R flag set. */
function asRequest(frame: Buffer): Buffer {
  const length = frame.length - (frame.length % 4);
  if (length < 20) return frame;
  const out = Buffer.from(frame.subarray(0, length));
  out.writeUInt32BE((1 << 24 | length) >>> 0, 0);
  out[4] = (out[4]! | 0x80) & 0xf0;
  return out;
}

describe(`Diameter decoder fuzz (seed ${seed})`, () => {
  it('random and mutated frames only ever fail with a Diameter result code', () => {
    const random = randomSource(seed);
    const frames = seedFrames();
    const startedMs = Date.now();
    let rejected = 0;
    for (let iteration = 0; iteration < decoderIterations; iteration += 1) {
      const frame = mutate(frames[random.below(frames.length)]!, random);
      const reader = new FrameReader(65_536);
      const pushed = reader.push(frame);
      for (const whole of [...pushed.frames, ...(frame.length >= 20 ? [asRequest(frame)] : [])]) {
        try {
          const message = decodeMessage(whole);
          if (message.commandCode === 272) parseCreditControlRequest(message.avps);
        } catch (error) {
          if (!(error instanceof DiameterDecodeError)) {
            throw new Error(`seed ${seed} iteration ${iteration}: ${String(error)}`);
          }
          expect(error.resultCode).toBeGreaterThanOrEqual(3000);
          rejected += 1;
        }
      }
    }
    expect(rejected).toBeGreaterThan(0);
    expect(Date.now() - startedMs).toBeLessThan(30_000);
  });
});

let harness: DiameterHarness;

beforeAll(async () => {
  harness = await openDiameterHarness({ settings: { sliceSeconds: 10 } });
  harness.decks.set('d1', deckOf(perSecondDeck));
  await account(harness, { id: 'root', tier: 'super_admin' });
  await account(harness, { id: 'fuzz', tier: 'customer', parentId: 'root', deck: 'd1',
    topup: '1.00' });
  await harness.identify('sip_uri', 'sip:fuzz@127.0.0.1', 'fuzz');
  await harness.identify('sip_uri', 'sip:sipp@127.0.0.1', 'fuzz');
});

afterAll(async () => {
  await harness?.close();
});

interface Peer {
  readonly socket: Socket;
  readonly frames: Buffer[];
  closed: boolean;
}

async function openPeer(port: number): Promise<Peer> {
  const socket = connect({ host: '127.0.0.1', port });
  const peer: Peer = { socket, frames: [], closed: false };
  const reader = new FrameReader(1 << 20);
  socket.on('data', (chunk: Buffer) => peer.frames.push(...reader.push(chunk).frames));
  socket.on('close', () => { peer.closed = true; });
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(encodeMessage({ flags: 0x80, commandCode: 257, applicationId: 0, hopByHopId: 0,
    endToEndId: 0 }, [avp('Origin-Host', 'fuzz.test.local'), avp('Origin-Realm', 'test.local'),
    avp('Auth-Application-Id', 4)]));
  await waitFor(() => peer.frames.length > 0 || peer.closed, 5_000);
  peer.frames.length = 0;
  return peer;
}

async function waitFor(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return true;
}

describe(`Diameter server fuzz (seed ${seed})`, () => {
  it('answers every mutated request or closes the connection; never crashes or hangs',
    async () => {
      const random = randomSource(seed + 1);
      const frames = seedFrames();
      let peer = await openPeer(harness.server.port);
      let answered = 0;
      let closed = 0;
      for (let iteration = 0; iteration < serverIterations; iteration += 1) {
        const frame = asRequest(mutate(frames[random.below(frames.length)]!, random));
        if (frame.length < 20) continue;
        peer.socket.write(frame);
        const settled = await waitFor(() => peer.frames.length > 0 || peer.closed, 3_000);
        expect(settled, `seed ${seed} iteration ${iteration}: no answer, connection open ` +
          frame.toString('hex')).toBe(true);
        if (peer.frames.length > 0) {
          answered += 1;
          expect(peer.frames[0]![4]! & 0x80).toBe(0); // an answer, not a request
          peer.frames.length = 0;
        }
        if (peer.closed) {
          closed += 1;
          peer = await openPeer(harness.server.port);
        }
      }
      peer.socket.destroy();
      expect(answered).toBeGreaterThan(serverIterations / 2);
      // The server still serves: a clean watchdog on a new connection.
      const fresh = await openPeer(harness.server.port);
      fresh.socket.write(encodeMessage({ flags: 0x80, commandCode: 280, applicationId: 0,
        hopByHopId: 5, endToEndId: 5 }, [avp('Origin-Host', 'f'), avp('Origin-Realm', 'r')]));
      expect(await waitFor(() => fresh.frames.length > 0, 3_000)).toBe(true);
      fresh.socket.destroy();
      expect(closed).toBeGreaterThanOrEqual(0);
    }, 120_000);
});
