import type { ChargingService, Clock } from '@tollgate/core';
import type { SwitchServices } from '../switches/teardown/switch-services.ts';
import type { Config } from '../config/config-schema.ts';
import { codecLimits } from './diameter-codec.ts';
import { createCreditControlHandler } from './credit-control-handler.ts';
import { startDiameterServer, type RunningDiameterServer } from './diameter-server.ts';
import { diameterTeardownDriver } from './diameter-teardown.ts';
import type { PeerContext, PeerLimits } from './peer-connection.ts';
import { SessionUsage } from './session-usage.ts';
import type { SubscriberDirectory } from './subscriber-directory.ts';

export interface DiameterSettings {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly originHost: string;
  readonly originRealm: string;
  /** Origin-Hosts allowed to connect; empty: any peer (protocols.md 9.7). */
  readonly allowedPeers: readonly string[];
}

/** Bounds of the Diameter front end (conventions: a named limit on every resource). */
export const diameterLimits = {
  connectionsMax: 256,
  /** Live sessions whose running usage total is kept in memory (older ones are read back). */
  sessionUsageEntriesMax: 200_000,
  peer: {
    messageBytesMax: codecLimits.messageBytesMax,
    inFlightMax: 1_024,
    capabilitiesTimeoutMs: 10_000,
    // RFC 3539 3.4.1: Tw is 30 s by default (6 s at least), varied by up to 2 s either way.
    watchdogIntervalMs: 30_000,
    watchdogJitterMs: 2_000,
    requestsPendingMax: 1_024,
  } satisfies PeerLimits,
  shutdownTimeoutMs: 2_000,
} as const;

/**
 * Starts the Diameter Credit-Control server (RFC 4006 over RFC 6733, 3GPP Ro/Gy) over the
 * charging use cases (the switches' kill-aware service), and registers its teardown driver
 * (ASR for kills, RAR for suspensions and funds changes) until it stops. The Origin-State-Id
 * is the start time in seconds, so it changes with every restart.
 */
export async function startDiameter(options: {
  readonly settings: DiameterSettings;
  readonly charging: ChargingService;
  readonly directory: SubscriberDirectory;
  readonly switches: Pick<SwitchServices, 'origins' | 'registry'>;
  readonly clock: Clock;
  readonly log?: PeerContext['log'];
  readonly limits?: PeerLimits;
}): Promise<RunningDiameterServer> {
  const { settings, switches } = options;
  const local = { originHost: settings.originHost, originRealm: settings.originRealm,
    productName: 'Tollgate', originStateId: Math.floor(options.clock.nowMs() / 1000) >>> 0 };
  const handler = createCreditControlHandler({ charging: options.charging,
    directory: options.directory, local, origins: switches.origins, clock: options.clock,
    usage: new SessionUsage(diameterLimits.sessionUsageEntriesMax) });
  const server = await startDiameterServer({ host: settings.host, port: settings.port, local,
    policy: { acceptUnknownPeers: settings.allowedPeers.length === 0,
      allowedPeers: new Set(settings.allowedPeers.map((peer) => peer.toLowerCase())) },
    limits: options.limits ?? diameterLimits.peer,
    connectionsMax: diameterLimits.connectionsMax, handler,
    ...(options.log === undefined ? {} : { log: options.log }) });
  const driver = diameterTeardownDriver({ local, peerNamed: server.peerNamed });
  switches.registry.register('diameter', driver);
  return { ...server, close: async (timeoutMs) => {
    switches.registry.unregister('diameter', driver);
    await server.close(timeoutMs);
  } };
}

export interface DiameterFrontEnd {
  /** "Diameter Ro/Gy on host:port", or null when Diameter is off. */
  readonly started: string | null;
  stop(): Promise<void>;
}

/**
 * `tollgate serve` side: the Diameter server as configured (`TOLLGATE_DIAMETER_*`), over the
 * process's shared charging service and identity table; off when the port is 0.
 */
export async function startDiameterFromConfig(options: {
  readonly config: Pick<Config, 'diameterHost' | 'diameterPort' | 'diameterOriginHost' |
    'diameterOriginRealm' | 'diameterPeers'>;
  readonly charging: ChargingService;
  readonly directory: SubscriberDirectory;
  readonly switches: Pick<SwitchServices, 'origins' | 'registry'>;
  readonly clock: Clock;
  readonly log: { info(detail: object, message: string): void };
}): Promise<DiameterFrontEnd> {
  const { config } = options;
  if (config.diameterPort === 0) return { started: null, stop: async () => undefined };
  const server = await startDiameter({ settings: { host: config.diameterHost,
    port: config.diameterPort, originHost: config.diameterOriginHost,
    originRealm: config.diameterOriginRealm,
    allowedPeers: config.diameterPeers.split(',').map((peer) => peer.trim())
      .filter((peer) => peer !== '') }, charging: options.charging,
  directory: options.directory, switches: options.switches, clock: options.clock,
  log: (event, detail) => options.log.info({ event, ...detail }, 'diameter') });
  return {
    started: `Diameter Ro/Gy on ${config.diameterHost}:${server.port} ` +
      `(Origin-Host ${config.diameterOriginHost})`,
    stop: () => server.close(diameterLimits.shutdownTimeoutMs),
  };
}
