import { describe, expect, it } from 'vitest';
import type { DiameterMessage } from '../../src/diameter/diameter-codec.ts';
import { PendingRequests } from '../../src/diameter/peer-requests.ts';

// The requests Tollgate sends a peer wait for their answers by Hop-by-Hop id; every wait ends
// (answer, timeout, close) and the table never grows past its bound.
const answerTo = (hopByHopId: number): DiameterMessage => ({ flags: 0,
  commandCode: 258, applicationId: 4, hopByHopId, endToEndId: hopByHopId, avps: [] });

describe('PendingRequests', () => {
  it('hands each answer to its request, once; an unknown or late answer is refused', async () => {
    const pending = new PendingRequests(4);
    const first = pending.nextId();
    const second = pending.nextId();
    expect(second).not.toBe(first);
    const waits = [pending.wait(first, 5_000), pending.wait(second, 5_000)];
    expect(pending.answered(answerTo(second))).toBe(true);
    expect(pending.answered(answerTo(second))).toBe(false);
    expect(pending.answered(answerTo(999))).toBe(false);
    expect(pending.answered(answerTo(first))).toBe(true);
    const [a, b] = await Promise.all(waits);
    expect(a).toMatchObject({ kind: 'answered', answer: { hopByHopId: first } });
    expect(b).toMatchObject({ kind: 'answered', answer: { hopByHopId: second } });
    expect(pending.size).toBe(0);
  });

  it('times out, refuses past its bound and ends every wait when the connection closes',
    async () => {
      const pending = new PendingRequests(2);
      const late = pending.nextId();
      expect(await pending.wait(late, 10)).toEqual({ kind: 'timeout' });
      expect(pending.answered(answerTo(late))).toBe(false);
      const open = [pending.wait(pending.nextId(), 5_000), pending.wait(pending.nextId(), 5_000)];
      expect(pending.full).toBe(true);
      expect(await pending.wait(pending.nextId(), 5_000)).toEqual({ kind: 'busy' });
      pending.closeAll();
      expect(await Promise.all(open)).toEqual([{ kind: 'closed' }, { kind: 'closed' }]);
      expect(pending.size).toBe(0);
    });
});
