import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Config } from '../config/config-schema.ts';
import { startDiameterFromConfig } from '../diameter/diameter-service.ts';
import { buildApp } from '../http/build-app.ts';
import { startIntegrations } from '../switches/start-integrations.ts';
import { demoInstructions, seedDemo } from './demo-seed.ts';
import type { QualityLogEvent } from '../routing/routing-catalog.ts';
import { openServices } from './services.ts';
import { startSweeper } from './sweeper.ts';
import { startBillingJob } from './billing-job.ts';
import { startDidFeeJob } from './did-fee-job.ts';
import { startPackageJob } from './package-job.ts';
import { startReconcileJob } from '../assurance/reconcile-job.ts';
import { TollgateMetrics } from '../metrics/metrics.ts';
import { meteredCharging } from '../metrics/metered-charging.ts';

export interface ServerIo {
  /** Human-readable lines for the operator (the demo's instructions, where it listens). */
  out(text: string): void;
  err(text: string): void;
}

export interface RunServerOptions {
  readonly io: ServerIo;
  /** Resolves with the reason to stop (a signal name). */
  readonly stopRequested: Promise<string>;
  /** Called once the server listens, with its base URL. */
  readonly onListening?: (baseUrl: string) => void;
}

/** Something started that must be stopped again: on shutdown, or when start-up fails. */
interface Started {
  readonly stop: () => Promise<void>;
}

/** Stops what started, the last first; a failure to stop one does not keep the others up. */
async function stopAll(started: Started[], io: ServerIo): Promise<void> {
  for (const part of started.reverse()) {
    try {
      await part.stop();
    } catch (error) {
      io.err(`tollgate: while stopping: ${error instanceof Error ? error.message : error}`);
    }
  }
}

/**
 * Runs the API until asked to stop, then shuts down in order: the protocol servers and the
 * sweeper, then HTTP (stop accepting connections and let in-flight requests finish, at most
 * `shutdownTimeoutMs`), and only then close the database, so no request loses its
 * transaction halfway. Start-up is all or nothing: when any configured part cannot start (a
 * port taken, say), what did start is stopped again and the error is thrown, so `serve` exits
 * non-zero instead of answering HTTP over a closed database.
 */
export async function runServer(config: Config, options: RunServerOptions): Promise<void> {
  const { io } = options;
  // Carrier quality changes (taken out, back) are logged: to stderr until the HTTP logger
  // exists, then through it.
  let logQuality = (event: QualityLogEvent) => io.err(`tollgate: carrier ${event.carrierId} ` +
    `${event.kind === 'carrier_out' ? 'taken out' : 'back'} for prefix ${event.prefix}`);
  const metrics = new TollgateMetrics({ processMetrics: true });
  const services = await openServices(config, { log: (event) => logQuality(event), metrics });
  const started: Started[] = [];
  try {
    const demo = config.demo ? await seedDemo(services) : null;
    if (config.adminKey === '' && demo === null) {
      io.err('tollgate: TOLLGATE_ADMIN_KEY is not set: only stored API keys are accepted');
    }
    const logger = config.logLevel === 'silent' ? false : { level: config.logLevel };
    const app = await buildApp(config, services, { logger });
    logQuality = (event) => app.log.warn({ carrierQuality: event }, 'carrier quality');
    await services.decks.warmUp(config.deckCacheDecksMax);
    started.push({ stop: () => closeWithin(app, config.shutdownTimeoutMs) });
    await app.listen({ port: config.httpPort, host: config.httpHost });
    const baseUrl = baseUrlOf(app.server.address(), config.httpHost);
    // Other nodes of the database may now forward requests for the trees this one owns.
    await services.cluster?.setUrl(baseUrl);
    const sweeper = startSweeper({ charging: services.charging,
      intervalMs: config.sweepIntervalMs, log: app.log, meters: {
        closed: (count) => metrics.sweeperClosed.inc(count),
        ran: (result) => metrics.sweeperRuns.inc({ result }) } });
    started.push(sweeper);
    const holder = config.nodeId === '' ? baseUrl : config.nodeId;
    if (services.billing !== undefined) {
      started.push(startBillingJob({ billing: services.billing, holder, log: app.log }));
      if (services.assurance !== undefined && config.reconcileIntervalMs > 0) {
        started.push(startReconcileJob({ assurance: services.assurance, holder,
          leases: services.billing.store, clock: services.clock,
          intervalMs: config.reconcileIntervalMs, log: app.log, timers: true, meters: {
            ran: (result) => metrics.reconcileRuns.inc({ result }),
            found: (count) => metrics.reconcileFindings.inc(count) } }));
      }
    }
    if (services.dids !== undefined) {
      started.push(startDidFeeJob({ dids: services.dids, holder, log: app.log }));
    }
    if (services.packages !== undefined) {
      started.push(startPackageJob({ packages: services.packages, holder, log: app.log }));
    }
    // Switch integrations (RADIUS, FreeSWITCH ESL, Kamailio kills), as configured.
    const integrations = await startIntegrations(config, services, app.log);
    started.push(integrations);
    for (const line of integrations.started) io.out(`tollgate: ${line}`);
    const diameter = await startDiameterFromConfig({ config,
      charging: meteredCharging(services.charging, metrics, 'diameter'),
      directory: services.subscriberIdentities, switches: services.switches,
      clock: services.clock, log: app.log });
    started.push(diameter);
    if (diameter.started !== null) io.out(`tollgate: ${diameter.started}`);
    const where = services.target.kind === 'sqlite' ? `SQLite ${services.target.path}`
      : 'PostgreSQL';
    io.out(`tollgate: listening on ${baseUrl} (${where}; ` +
      `${services.migrationsApplied} migrations applied)`);
    if (demo !== null) {
      io.out(demoInstructions({ baseUrl, seed: demo,
        sessionId: `demo-${randomBytes(3).toString('hex')}` }));
    }
    options.onListening?.(baseUrl);
    const reason = await options.stopRequested;
    io.out(`tollgate: ${reason}: draining requests, then closing`);
  } finally {
    // Shutdown, or a part that failed to start: either way nothing stays up on a closed
    // database.
    await stopAll(started, io);
    await services.close();
  }
  io.out('tollgate: stopped');
}

const shutdownLimits = {
  /** How often a draining server closes connections that went idle. */
  idleSweepMs: 50,
} as const;

async function closeWithin(
  app: Awaited<ReturnType<typeof buildApp>>,
  timeoutMs: number,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      // Requests still running after the grace period are cut so the process can exit.
      app.server.closeAllConnections();
      resolve();
    }, timeoutMs);
  });
  // A keep-alive connection whose request finishes during the drain would otherwise stay open
  // until the deadline (the server closes only the connections idle when it starts closing).
  const idleSweep = setInterval(() => app.server.closeIdleConnections(),
    shutdownLimits.idleSweepMs);
  await Promise.race([app.close(), deadline]);
  clearInterval(idleSweep);
  clearTimeout(timer);
}

function baseUrlOf(address: AddressInfo | string | null, host: string): string {
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1'
    : host.includes(':') ? `[${host}]` : host;
  return `http://${shown}:${port}`;
}
