import { success } from '../kernel/result.ts';
import { authorize } from './authorize.ts';
import { createBundle } from './bundles.ts';
import type { ChargingDeps } from './charging-ports.ts';
import type { ChargingService } from './charging-service.ts';
import { chargeEvent } from './event.ts';
import { killSession } from './kill-session.ts';
import { terminate, update } from './session-requests.ts';
import { sweepStaleSessions } from './sweep.ts';

const readOnly = { readOnly: true } as const;

/** The charging use cases bound to one store, one clock, the decks and the settings. */
export function createChargingService(deps: ChargingDeps): ChargingService {
  const { store } = deps;
  return {
    authorize: (input) => authorize(deps, input),
    update: (input) => update(deps, input),
    terminate: (input) => terminate(deps, input),
    event: (input) => chargeEvent(deps, input),
    kill: (input) => killSession(deps, input),
    sweepStaleSessions: () => sweepStaleSessions(deps),
    listLiveSessions: async (query) =>
      success(await store.transaction((tx) => tx.listLiveSessions(query), readOnly)),
    listCdrs: async (query) =>
      success(await store.transaction((tx) => tx.listCdrs(query), readOnly)),
    createBundle: (input) => createBundle(deps, input),
    listBundles: async (accountId) =>
      success(await store.transaction((tx) => tx.findBundles(accountId), readOnly)),
    getSessionAccountId: async (sessionId) => {
      const session = await store.transaction((tx) => tx.findSession(sessionId), readOnly);
      return session?.accountId ?? null;
    },
  };
}
