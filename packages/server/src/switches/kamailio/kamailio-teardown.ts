import type { SessionOrigin } from '../teardown/session-origins.ts';
import type { TeardownDriver, TeardownOutcome } from '../teardown/teardown-registry.ts';

export const kamailioRpcLimits = {
  /** The JSON-RPC call is local to the SIP proxy: it answers in milliseconds or not at all. */
  requestTimeoutMs: 1_000,
  replyBytesMax: 64 * 1024,
} as const;

/**
 * Ends a Kamailio dialog with the JSON-RPC command `dlg.end_dlg h_entry h_id` (jsonrpcs over
 * xhttp): Kamailio sends BYE to both legs. A `result` is `ended`; a JSON-RPC `error` (the
 * dialog is gone or unknown) is `switch_refused`; no answer is `switch_unreachable`. The kill
 * has already settled the session, because Kamailio does not always run event_route
 * [dialog:end] after an RPC teardown (protocols.md section 3).
 */
export function kamailioTeardownDriver(options: { rpcUrl: string }): TeardownDriver {
  let nextId = 1;
  return {
    endCall: async (origin: SessionOrigin): Promise<TeardownOutcome> => {
      const hEntry = origin.callRef['hEntry'];
      const hId = origin.callRef['hId'];
      if (typeof hEntry !== 'number' || typeof hId !== 'number') {
        return { status: 'failed', code: 'call_ref_missing', detail: 'no h_entry/h_id' };
      }
      const id = nextId;
      nextId = nextId >= 1_000_000 ? 1 : nextId + 1;
      let response: Response;
      try {
        response = await fetch(options.rpcUrl, { method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ jsonrpc: '2.0', method: 'dlg.end_dlg', params: [hEntry, hId],
            id }),
          signal: AbortSignal.timeout(kamailioRpcLimits.requestTimeoutMs) });
      } catch (error) {
        return { status: 'failed', code: 'switch_unreachable',
          detail: error instanceof Error ? error.message : String(error) };
      }
      const body = (await response.text()).slice(0, kamailioRpcLimits.replyBytesMax);
      let reply: { result?: unknown; error?: { message?: string } } = {};
      try {
        reply = JSON.parse(body) as typeof reply;
      } catch {
        return { status: 'failed', code: 'switch_refused',
          detail: `not JSON-RPC: HTTP ${response.status}` };
      }
      if (response.ok && reply.result !== undefined && reply.error === undefined) {
        return { status: 'ended' };
      }
      return { status: 'failed', code: 'switch_refused',
        detail: reply.error?.message ?? `HTTP ${response.status}` };
    },
  };
}
