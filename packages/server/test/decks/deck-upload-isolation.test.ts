import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDeckCsv } from '../../src/bench/generate-deck.ts';
import { openTestApi, seedWorld, type TestApi, type World } from '../http/http-fixture.ts';

// Issue 14, finding 7: a 1M-row deck upload held the event loop for seconds, so every
// tenant's calls waited. The deck is now parsed and indexed on a worker thread, and the event
// loop only assembles the result in small steps. Wall-clock limits would flake on a shared
// machine, so the test compares the loop's longest pause during the upload with the upload's
// own length: parsing on the loop makes one pause nearly as long as the parse (about half the
// upload or more), while on the thread the longest pause is one step (a few milliseconds).
const deckRows = 150_000;
const chargingCallsMax = 10_000;

let api: TestApi;
let world: World;

beforeAll(async () => {
  api = await openTestApi('sqlite');
  world = await seedWorld(api);
});
afterAll(async () => api.close());

/** The longest gap between turns of the event loop while it runs. */
function loopPauses() {
  let longestMs = 0;
  let turns = 0;
  let last = performance.now();
  let running = true;
  const tick = () => {
    const now = performance.now();
    longestMs = Math.max(longestMs, now - last);
    last = now;
    turns += 1;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  return { stop: () => {
    running = false;
    return { longestMs, turns };
  } };
}

/** Calls placed and ended one after the other until `done` says stop; how many were answered. */
async function callsUntil(done: () => boolean): Promise<number> {
  let answered = 0;
  for (let call = 0; call < chargingCallsMax && !done(); call += 1) {
    const sessionId = `during-upload-${call}`;
    const authorized = await api.call({ method: 'POST', url: '/v1/sessions', key: world.keys.rs,
      json: { session_id: sessionId, account_id: 'cu1', caller: '15550001',
        callee: '442079460000', request_number: 0 } });
    expect(authorized.status).toBe(200);
    const ended = await api.call({ method: 'POST', url: `/v1/sessions/${sessionId}/terminate`,
      key: world.keys.rs, json: { request_number: 1, used_seconds: 0 } });
    expect(ended.status).toBe(200);
    answered += 1;
  }
  return answered;
}

describe('a large deck upload (finding 7)', () => {
  it('leaves the event loop free: calls are answered while the deck is parsed', async () => {
    const csv = generateDeckCsv({ rows: deckRows, seed: 7 });
    const parsedBefore = api.services.decks.threadParsedCount();
    const pauses = loopPauses();
    const startedMs = performance.now();
    let uploaded = false;
    const upload = api.call({ method: 'POST', url: '/v1/rate-decks?name=big&currency=USD',
      csv, key: world.keys.rs }).finally(() => {
      uploaded = true;
    });
    const answered = await callsUntil(() => uploaded);
    const response = await upload;
    const uploadMs = performance.now() - startedMs;
    const { longestMs, turns } = pauses.stop();
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ rows: deckRows, owner_id: 'rs' });
    // The one assertion that parsing on the loop fails: no pause near the upload's length.
    expect(longestMs * 4, `longest pause ${longestMs} ms of ${uploadMs} ms`)
      .toBeLessThan(uploadMs);
    // It was parsed on the thread, and the deck is loaded with its size reported.
    expect(api.services.decks.threadParsedCount()).toBe(parsedBefore + 1);
    expect(response.body['memory_bytes']).toBeGreaterThan(deckRows * 100);
    expect(answered).toBeGreaterThan(0);
    expect(turns).toBeGreaterThan(answered);
  }, 120_000);
});
