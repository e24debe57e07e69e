import type { ChargingService, Clock } from '@tollgate/core';
import { killAwareCharging } from './kill-aware-charging.ts';
import type { SessionOriginStore } from './session-origins.ts';
import { forwardingSwitchLog, type SwitchLog } from './switch-log.ts';
import { createSwitchTeardown, type SwitchTeardown } from './switch-teardown.ts';
import { httpTeardownDriver, TeardownRegistry } from './teardown-registry.ts';

/** What the integrations and the routes share: origins, drivers, the kill use case. */
export interface SwitchServices {
  readonly origins: SessionOriginStore;
  readonly registry: TeardownRegistry;
  readonly teardown: SwitchTeardown;
  /** The logger of the integrations (the server's, once it exists). */
  readonly log: SwitchLog & { use(target: SwitchLog): void };
}

/**
 * Wraps the core charging service for the switches (answers after a kill) and builds the
 * teardown over it. Returns the wrapped service: every front end must use that one.
 */
export function createSwitchServices(deps: {
  charging: ChargingService;
  origins: SessionOriginStore;
  clock: Clock;
}): { charging: ChargingService; switches: SwitchServices } {
  const charging = killAwareCharging(deps.charging, deps.origins, deps.clock);
  const registry = new TeardownRegistry();
  registry.register('http', httpTeardownDriver);
  const log = forwardingSwitchLog();
  const teardown = createSwitchTeardown({ charging, origins: deps.origins, registry,
    clock: deps.clock, log });
  return { charging, switches: { origins: deps.origins, registry, teardown, log } };
}
