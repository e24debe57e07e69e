import { connect, type Socket } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { avp, decodeMessage, encodeMessage, type OutAvp } from '../diameter/diameter-codec.ts';
import { FrameReader } from '../diameter/frame-reader.ts';

/**
 * One load connection of the Diameter bench, in a worker thread so the client's encoding does
 * not share the server's event loop. Each of `inFlight` slots runs calls back to back (CCR-I,
 * `updatesPerCall` CCR-U, CCR-T) or, in `watchdog` mode, DWRs; it reports answered requests by
 * result code and latency percentiles.
 */

export interface BenchClientInput {
  readonly port: number;
  readonly connectionIndex: number;
  readonly inFlight: number;
  readonly durationMs: number;
  readonly mode: 'charging' | 'watchdog';
  readonly updatesPerCall: number;
  readonly subscriber: string;
}

export interface BenchClientReport {
  readonly answered: number;
  readonly byResult: Record<string, number>;
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly max: number };
}

const input = workerData as BenchClientInput;
const latencySamplesMax = 200_000;

function ccr(sessionId: string, type: number, number: number): OutAvp[] {
  const units = type === 1 ? [avp('Requested-Service-Unit', [avp('CC-Time', 60)])]
    : type === 2 ? [avp('Used-Service-Unit', [avp('CC-Time', 20)]),
      avp('Requested-Service-Unit', [avp('CC-Time', 60)])]
      : [avp('Used-Service-Unit', [avp('CC-Time', 20)])];
  return [avp('Session-Id', sessionId), avp('Origin-Host', 'bench.test.local'),
    avp('Origin-Realm', 'test.local'), avp('Destination-Realm', 'test.local'),
    avp('Auth-Application-Id', 4), avp('Service-Context-Id', '32260@3gpp.org'),
    avp('CC-Request-Type', type), avp('CC-Request-Number', number),
    avp('Subscription-Id', [avp('Subscription-Id-Type', 2),
      avp('Subscription-Id-Data', input.subscriber)]),
    avp('Multiple-Services-Credit-Control', [...units, avp('Service-Identifier', 1000)]),
    avp('Service-Information', [avp('IMS-Information',
      [avp('Called-Party-Address', 'sip:4420700000@127.0.0.1')])])];
}

function resultOf(frame: Buffer): number {
  const message = decodeMessage(frame);
  const found = message.avps.find((candidate) => candidate.code === 268);
  return found === undefined ? 0 : Buffer.from(found.data.buffer, found.data.byteOffset, 4)
    .readUInt32BE(0);
}

async function main(): Promise<void> {
  const socket: Socket = connect({ host: '127.0.0.1', port: input.port });
  socket.setNoDelay(true);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  const reader = new FrameReader(1 << 20);
  const waiting = new Map<number, (frame: Buffer) => void>();
  socket.on('data', (chunk: Buffer) => {
    for (const frame of reader.push(chunk).frames) {
      const id = frame.readUInt32BE(12);
      waiting.get(id)?.(frame);
      waiting.delete(id);
    }
  });
  let nextId = 1;
  const send = (commandCode: number, applicationId: number, avps: readonly OutAvp[]) => {
    const id = nextId;
    nextId = (nextId + 1) >>> 0;
    const answer = new Promise<Buffer>((resolve) => waiting.set(id, resolve));
    socket.write(encodeMessage({ flags: 0x80, commandCode, applicationId, hopByHopId: id,
      endToEndId: id }, avps));
    return answer;
  };
  await send(257, 0, [avp('Origin-Host', `bench${input.connectionIndex}.test.local`),
    avp('Origin-Realm', 'test.local'), avp('Auth-Application-Id', 4)]);
  const byResult: Record<string, number> = {};
  const latencies: number[] = [];
  let answered = 0;
  const deadline = performance.now() + input.durationMs;
  const timed = async (commandCode: number, applicationId: number, avps: OutAvp[]) => {
    const startedMs = performance.now();
    const result = resultOf(await send(commandCode, applicationId, avps));
    if (latencies.length < latencySamplesMax) latencies.push(performance.now() - startedMs);
    byResult[result] = (byResult[result] ?? 0) + 1;
    answered += 1;
  };
  const slot = async (slotIndex: number) => {
    for (let call = 0; performance.now() < deadline; call += 1) {
      if (input.mode === 'watchdog') {
        await timed(280, 0, [avp('Origin-Host', 'bench.test.local'),
          avp('Origin-Realm', 'test.local')]);
        continue;
      }
      const sessionId = `bench;${input.connectionIndex};${slotIndex};${call}`;
      await timed(272, 4, ccr(sessionId, 1, 0));
      for (let update = 1; update <= input.updatesPerCall; update += 1) {
        await timed(272, 4, ccr(sessionId, 2, update));
      }
      await timed(272, 4, ccr(sessionId, 3, input.updatesPerCall + 1));
    }
  };
  await Promise.all(Array.from({ length: input.inFlight }, (_, index) => slot(index)));
  socket.destroy();
  latencies.sort((a, b) => a - b);
  const at = (share: number) => latencies[Math.min(latencies.length - 1,
    Math.floor(latencies.length * share))] ?? 0;
  const report: BenchClientReport = { answered, byResult,
    latencyMs: { p50: at(0.5), p99: at(0.99), max: latencies.at(-1) ?? 0 } };
  parentPort?.postMessage(report);
}

await main();
