import type { World } from './engine-sim-world.ts';
import { fail, show } from './engine-sim-world.ts';

/** Deep equality of answers: bigints by value, objects by their own keys. */
export function sameValue(first: unknown, second: unknown): boolean {
  if (first === second) return true;
  if (typeof first !== 'object' || typeof second !== 'object' || first === null ||
    second === null) return false;
  if (Array.isArray(first) !== Array.isArray(second)) return false;
  const firstKeys = Object.keys(first).filter((key) =>
    (first as Record<string, unknown>)[key] !== undefined);
  const secondKeys = Object.keys(second).filter((key) =>
    (second as Record<string, unknown>)[key] !== undefined);
  if (firstKeys.length !== secondKeys.length) return false;
  return firstKeys.every((key) => sameValue((first as Record<string, unknown>)[key],
    (second as Record<string, unknown>)[key]));
}

/**
 * Learns which live calls the sweeper closed: the sweeper tells only how many, and a sweep
 * whose answer was lost tells nothing. A call is closed by the sweeper when storage holds it
 * closed, one request past what its switch was told, with a `timeout` CDR; its deadline must
 * have passed. Returns the ids it marked.
 */
export function syncSwept(world: World): string[] {
  const { model, storage } = world;
  const nowMs = world.clock.nowMs();
  const marked: string[] = [];
  for (const id of [...model.live]) {
    const session = model.sessions.get(id)!;
    // Only a call past its deadline can be the sweeper's; others are another request's.
    if (model.deadlineOf(session, world.settings.sessionGraceMs) > nowMs) continue;
    const stored = storage.tables.sessions.get(id);
    if (stored === undefined || stored.state === 'live') continue;
    const cdr = storage.tables.cdrs.get(`c:${id}`);
    if (stored.lastRequestNumber !== session.lastNumber + 1 || cdr?.disposition !== 'timeout') {
      fail(`${id} is closed in storage, but not by the sweeper of a stale call: ` +
        `${show(stored)} (CDR ${show(cdr)}), model ${show(session)}`);
    }
    // 'reported': the sweeper charges what the switch reported, never past what was granted.
    if (session.usedSeconds === session.chargedSeconds && cdr.costMicros !== session.costMicros) {
      fail(`${id}: the sweeper charged ${cdr.costMicros}, the switch was told ` +
        `${session.costMicros} for the ${session.usedSeconds} s it reported`);
    }
    session.closedBy = 'sweep';
    session.lastNumber += 1;
    model.setCost(session, cdr.costMicros);
    model.setState(session, 'closed');
    model.closedByServer.push(id);
    model.touched.add(id);
    marked.push(id);
  }
  return marked;
}
