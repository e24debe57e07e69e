import {
  chargingDefaults,
  createChargingService,
  type ChargingService,
  createLedgerService,
  ManualClock,
  parseRateDeckCsv,
  parseRateDeckSettings,
  prefixIndexOf,
  assert,
  type ChargingSettings,
  type RateDeck,
} from '@tollgate/core';
import { systemClock } from '../../src/app/system-clock.ts';
import { startDiameter } from '../../src/diameter/diameter-service.ts';
import type { RunningDiameterServer } from '../../src/diameter/diameter-server.ts';
import type { PeerLimits } from '../../src/diameter/peer-connection.ts';
import {
  normalizeIdentity,
  type IdentityKind,
} from '../../src/diameter/subscriber-directory.ts';
import {
  sqliteSubscriberIdentityStore,
  type SubscriberIdentityStore,
} from '../../src/diameter/subscriber-identity-store.ts';
import { engineOnDatabase } from '../../src/storage/engine/open-engine.ts';
import { createSqliteSessionOriginStore } from
  '../../src/switches/teardown/session-origin-stores.ts';
import {
  createSwitchServices,
  type SwitchServices,
} from '../../src/switches/teardown/switch-services.ts';
import type { ChargingHarness } from '../charging/charging-harness.ts';
import { openTempSqliteLedger } from '../storage/sqlite-fixture.ts';

export interface DiameterHarness extends ChargingHarness {
  readonly identities: SubscriberIdentityStore;
  readonly server: RunningDiameterServer;
  /** Origins, the teardown registry (with the Diameter driver) and kill/suspension walks. */
  readonly switches: SwitchServices;
  /** Maps an identity (normalized here) to an account; null: not credit controlled. */
  identify(kind: IdentityKind, text: string, accountId: string | null): Promise<void>;
  /**
   * The last charging calls the Diameter server made and what they answered (or threw), for a
   * failing interop test to print next to the peer's log.
   */
  chargingTrail(): readonly string[];
}

/** Charging calls kept for `chargingTrail`. */
const trailMax = 200;

/** One rate: 0.06/min per second, so a call of N seconds costs exactly N x 0.001. */
export const perSecondDeck = 'prefix,destination,rate,connect_fee,initial_increment_s,' +
  'increment_s\n44,UK,0.06,0,1,1\n';

/**
 * The charging use cases on a real SQLite file with the wall clock (peers run in real time),
 * the identity table, and the Diameter server on a free loopback port.
 */
export async function openDiameterHarness(options: {
  readonly settings?: Partial<ChargingSettings>;
  readonly originHost?: string;
  readonly originRealm?: string;
  readonly allowedPeers?: readonly string[];
  readonly limits?: PeerLimits;
} = {}): Promise<DiameterHarness> {
  const handle = await openTempSqliteLedger({ synchronous: 'NORMAL' });
  const store = engineOnDatabase(handle.database);
  await store.start();
  const decks = new Map<string, RateDeck>();
  const ledger = createLedgerService({ store, clock: systemClock });
  const charging = createChargingService({ store, clock: systemClock,
    decks: { getDeck: async (id) => decks.get(id) ?? null, loadedDeck: (id) => decks.get(id) },
    settings: { ...chargingDefaults, ...options.settings }, startedAtMs: Date.now() });
  const identities = sqliteSubscriberIdentityStore(handle.database);
  const trail: string[] = [];
  // As `tollgate serve` wires it: the switches' kill-aware service over the core's.
  const switched = createSwitchServices({ charging: recorded(charging, trail),
    clock: systemClock, origins: createSqliteSessionOriginStore(handle.database) });
  const server = await startDiameter({ settings: { host: '127.0.0.1', port: 0,
    originHost: options.originHost ?? 'ocs.test.local',
    originRealm: options.originRealm ?? 'test.local',
    allowedPeers: options.allowedPeers ?? [] }, charging: switched.charging,
  directory: identities, switches: switched.switches, clock: systemClock,
  ...(options.limits === undefined ? {} : { limits: options.limits }) });
  return {
    store, ledger, charging, decks, identities, server, switches: switched.switches,
    // The charging helpers only need the shape; this harness runs on the wall clock.
    clock: new ManualClock(Date.now()),
    async identify(kind, text, accountId) {
      const identity = normalizeIdentity(kind, text);
      assert(identity !== null, `test identity ${text} normalizes`);
      await identities.put({ ...identity, accountId: accountId ?? 'root',
        charging: accountId === null ? 'not_applicable' : 'online', createdAtMs: Date.now() });
    },
    chargingTrail: () => trail,
    async close() {
      await server.close(1_000);
      await store.idle();
      await handle.close();
    },
  };
}

/** The service, with each call and its outcome written to `trail` (the last `trailMax`). */
function recorded(charging: ChargingService, trail: string[]): ChargingService {
  const note = (line: string) => {
    trail.push(`${new Date().toISOString()} ${line.slice(0, 400)}`);
    if (trail.length > trailMax) trail.shift();
  };
  const json = (value: unknown) =>
    JSON.stringify(value, (_key, field: unknown) => typeof field === 'bigint' ? `${field}` : field);
  return new Proxy(charging, {
    get(target, name, receiver) {
      const member: unknown = Reflect.get(target, name, receiver);
      if (typeof member !== 'function') return member;
      return async (...args: unknown[]) => {
        try {
          const outcome: unknown = await member.apply(target, args);
          note(`${String(name)} ${json(args[0])} -> ${json(outcome)}`);
          return outcome;
        } catch (error) {
          note(`${String(name)} ${json(args[0])} threw ${String(error)}`);
          throw error;
        }
      };
    },
  });
}

export function deckOf(csv: string, currency = 'USD'): RateDeck {
  const settings = parseRateDeckSettings({ currency });
  assert(settings.ok, 'test deck settings are valid');
  const deck = parseRateDeckCsv(csv, { settings: settings.value });
  assert(deck.ok, 'test deck parses');
  prefixIndexOf(deck.value);
  return deck.value;
}
