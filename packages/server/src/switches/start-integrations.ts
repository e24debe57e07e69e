import type { Config } from '../config/config-schema.ts';
import type { AppServices } from '../http/app-services.ts';
import { startEslAgent } from './freeswitch/esl-agent.ts';
import { kamailioTeardownDriver } from './kamailio/kamailio-teardown.ts';
import { parseRadiusClients } from './radius/radius-clients.ts';
import { startRadiusDisconnect } from './radius/radius-disconnect.ts';
import { interimSecondsFor } from './radius/radius-renewal.ts';
import { startRadiusServer } from './radius/radius-server.ts';
import { switchFrontOf, type SwitchFront } from './switch-front.ts';
import { meteredCharging } from '../metrics/metered-charging.ts';
import type { SwitchLog } from './teardown/switch-log.ts';

export type IntegrationsConfig = Pick<Config, 'radiusHost' | 'radiusAuthPort' |
  'radiusAcctPort' | 'radiusClients' | 'radiusDisconnectPort' | 'radiusInterimSeconds' |
  'sliceSeconds' |
  'radiusRequireMessageAuthenticator' | 'eslHost' | 'eslPort' | 'eslPassword' |
  'kamailioRpcUrl' | 'callDurationSecondsMax'>;

export const originRetention = {
  /** How often old session origins are forgotten. */
  intervalMs: 10 * 60_000,
  /** Origins forgotten per run at most. */
  batchMax: 1_000,
  /** Kept at least this long: a late report after a kill still gets the kill's answer. */
  keptMsMin: 24 * 3600_000,
} as const;

export interface RunningIntegrations {
  /** One line per integration started, for the operator. */
  readonly started: readonly string[];
  stop(): Promise<void>;
}

/**
 * Starts the switch integrations the configuration asks for and registers their teardown
 * drivers. The HTTP API (and with it Kamailio's plain-text authorize) runs anyway.
 */
export async function startIntegrations(
  config: IntegrationsConfig,
  services: AppServices,
  log: SwitchLog,
): Promise<RunningIntegrations> {
  services.switches.log.use(log);
  // Each protocol charges through its own metered view, so /metrics tells them apart.
  const frontOf = (protocol: 'radius' | 'esl'): SwitchFront =>
    switchFrontOf(services, meteredCharging(services.charging, services.metrics, protocol));
  const stops: Array<() => Promise<void>> = [];
  const started: string[] = [];
  // Origins outlive their calls only to answer late reports; twice the longest call is enough.
  const keptMs = Math.max(originRetention.keptMsMin, 2_000 * config.callDurationSecondsMax);
  const forget = setInterval(() => {
    services.switches.origins.forgetBefore(services.clock.nowMs() - keptMs,
      originRetention.batchMax).catch((error: unknown) => log.warn({ code: 'internal_error',
      detail: error instanceof Error ? error.message : String(error) },
    'old session origins not forgotten'));
  }, originRetention.intervalMs);
  forget.unref();
  stops.push(async () => clearInterval(forget));
  try {
    if (config.radiusAuthPort !== 0) {
      const parsed = parseRadiusClients(config.radiusClients);
      if (!parsed.ok) throw new Error(`TOLLGATE_RADIUS_CLIENTS: ${parsed.message}`);
      const disconnect = await startRadiusDisconnect({ clients: parsed.clients,
        port: config.radiusDisconnectPort });
      const interimSeconds = config.radiusInterimSeconds === 0
        ? interimSecondsFor(config.sliceSeconds) : config.radiusInterimSeconds;
      const server = await startRadiusServer({ host: config.radiusHost,
        authPort: config.radiusAuthPort,
        acctPort: config.radiusAcctPort === 0 ? config.radiusAuthPort + 1 : config.radiusAcctPort,
        clients: parsed.clients, front: frontOf('radius'),
        requireMessageAuthenticator: config.radiusRequireMessageAuthenticator,
        longCalls: { interimSeconds, dynamicAuth: disconnect } }).catch(async (error: unknown) => {
        await disconnect.close();
        throw error;
      });
      services.switches.registry.register('radius', disconnect);
      stops.push(async () => {
        services.switches.registry.unregister('radius', disconnect);
        await Promise.all([server.close(), disconnect.close()]);
      });
      started.push(`RADIUS on ${config.radiusHost} udp ${server.authPort}/${server.acctPort} ` +
        `(${parsed.clients.size} clients)`);
    }
    if (config.eslHost !== '') {
      const agent = startEslAgent({ host: config.eslHost, port: config.eslPort,
        password: config.eslPassword, front: frontOf('esl'),
        authorizedContext: 'tollgate_authorized' });
      services.switches.registry.register('freeswitch', agent);
      stops.push(async () => {
        services.switches.registry.unregister('freeswitch', agent);
        await agent.stop();
      });
      started.push(`FreeSWITCH agent for ${config.eslHost}:${config.eslPort}`);
    }
    if (config.kamailioRpcUrl !== '') {
      const driver = kamailioTeardownDriver({ rpcUrl: config.kamailioRpcUrl });
      services.switches.registry.register('kamailio', driver);
      stops.push(async () => services.switches.registry.unregister('kamailio', driver));
      started.push(`Kamailio kills through ${config.kamailioRpcUrl}`);
    }
  } catch (error) {
    for (const stop of stops.reverse()) await stop();
    throw error;
  }
  return {
    started,
    stop: async () => {
      for (const stop of stops.reverse()) await stop();
    },
  };
}
