import type { SwitchFront } from '../switch-front.ts';
import { callOfRef, type FsCall } from './esl-call.ts';

export const eslReattachLimits = {
  /** Origins read per page. */
  pageSize: 500,
  /**
   * How far back a call may have started and still be live: the longest call Tollgate grants
   * (4 h by default) and some. Older origins without an end are not calls any more.
   */
  windowMs: 5 * 3600_000,
} as const;

/**
 * The calls a previous run of the agent followed (its `freeswitch` origins not marked ended),
 * split by asking FreeSWITCH `uuid_exists`: those still up are followed again (their grant
 * re-armed and renewed), those gone are terminated by the caller. Without this a restart left
 * them to end at the hang-up armed before it, unrenewed.
 */
export async function reattachCalls(options: {
  front: SwitchFront;
  api: (command: string) => Promise<string>;
  uuidPattern: RegExp;
  known: (uuid: string) => boolean;
  callsMax: number;
}): Promise<{ live: FsCall[]; gone: FsCall[] }> {
  const { front } = options;
  const live: FsCall[] = [];
  const gone: FsCall[] = [];
  const sinceMs = front.clock.nowMs() - eslReattachLimits.windowMs;
  let afterSessionId = '';
  const pagesMax = Math.ceil(options.callsMax / eslReattachLimits.pageSize);
  for (let page = 0; page < pagesMax; page += 1) {
    const origins = await front.origins.listUnended({ integration: 'freeswitch', sinceMs,
      afterSessionId, limit: eslReattachLimits.pageSize });
    for (const origin of origins) {
      const call = callOfRef(origin.callRef, options.uuidPattern);
      if (call === null || options.known(call.uuid)) continue;
      const exists = await options.api(`uuid_exists ${call.uuid}`);
      if (exists === 'true') live.push(call);
      else if (exists === 'false') gone.push(call);
    }
    if (origins.length < eslReattachLimits.pageSize) break;
    afterSessionId = origins.at(-1)!.sessionId;
  }
  if (live.length + gone.length > 0) {
    front.log.info({ code: 'esl_reattached', live: live.length, gone: gone.length },
      'calls of an earlier run followed again');
  }
  return { live, gone };
}
