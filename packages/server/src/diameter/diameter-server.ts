import { createServer, type AddressInfo, type Server } from 'node:net';
import type { LocalIdentity } from './base-answers.ts';
import type { PeerPolicy } from './capabilities.ts';
import {
  PeerConnection,
  type ApplicationHandler,
  type PeerContext,
  type PeerLimits,
} from './peer-connection.ts';

export interface DiameterServerOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly local: LocalIdentity;
  readonly policy: PeerPolicy;
  readonly limits: PeerLimits;
  /** Connections at once; more are closed on accept. */
  readonly connectionsMax: number;
  readonly handler: ApplicationHandler;
  readonly log?: PeerContext['log'];
}

export interface RunningDiameterServer {
  readonly port: number;
  readonly connectionCount: () => number;
  /**
   * The open connection of the peer whose CER named `originHost` (case-insensitive; the newest
   * when it has several), or undefined when it is not connected to this process.
   */
  readonly peerNamed: (originHost: string) => PeerConnection | undefined;
  /** Stops accepting, then disconnects every peer gracefully (DPR), within `timeoutMs`. */
  close(timeoutMs: number): Promise<void>;
}

/** The Diameter listener: one PeerConnection per accepted TCP connection. */
export async function startDiameterServer(
  options: DiameterServerOptions,
): Promise<RunningDiameterServer> {
  const connections = new Set<PeerConnection>();
  const log = options.log ?? (() => undefined);
  const context: PeerContext = { local: options.local, policy: options.policy,
    limits: options.limits, handler: options.handler, log };
  const server: Server = createServer((socket) => {
    if (connections.size >= options.connectionsMax) {
      log('peer_rejected', { reason: 'connections_max' });
      socket.destroy();
      return;
    }
    const connection = new PeerConnection(socket, context);
    connections.add(connection);
    void connection.closed.then(() => connections.delete(connection));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: options.host, port: options.port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    connectionCount: () => connections.size,
    peerNamed: (originHost) => {
      const wanted = originHost.toLowerCase();
      let found: PeerConnection | undefined;
      // Bounded by connectionsMax; insertion order, so the last match is the newest.
      for (const connection of connections) {
        if (connection.openPeer?.host.toLowerCase() === wanted) found = connection;
      }
      return found;
    },
    async close(timeoutMs: number) {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([...connections].map((connection) => connection.disconnect(timeoutMs)));
      await stopped;
    },
  };
}
