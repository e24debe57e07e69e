import { connect, StringCodec, type NatsConnection } from 'nats';

/** Publishes alert JSON to NATS; one connection, reconnecting on its own. */
export interface NatsPublisher {
  /** Resolves once the server has the message (publish + flush); rejects when it is down. */
  publish(subject: string, body: string): Promise<void>;
  close(): Promise<void>;
}

/** The subject of a tenant's alerts. NATS tokens cannot hold dots, so dots in ids become `_`. */
export function alertSubject(prefix: string, rootAccountId: string): string {
  return `${prefix}.${rootAccountId.replace(/[.*>\s]/g, '_')}.fraud.alerts`;
}

async function within<T>(work: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out`)), timeoutMs);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A publisher that connects on first use, not at start: NATS being down must never keep the
 * charging server from starting. A failed connect or flush rejects the publish, and the
 * dispatcher retries it with backoff; once connected, the client reconnects by itself.
 */
export function natsPublisher(options: { url: string; timeoutMs: number }): NatsPublisher {
  const codec = StringCodec();
  let connecting: Promise<NatsConnection> | null = null;
  const connection = async (): Promise<NatsConnection> => {
    connecting ??= connect({ servers: options.url, timeout: options.timeoutMs,
      reconnect: true, maxReconnectAttempts: -1, reconnectTimeWait: 1_000,
      name: 'tollgate-fraud' });
    try {
      const open = await connecting;
      if (!open.isClosed()) return open;
    } catch (error) {
      connecting = null;
      throw error;
    }
    connecting = null;
    throw new Error('the NATS connection is closed');
  };
  return {
    publish: async (subject, body) => {
      const open = await connection();
      open.publish(subject, codec.encode(body));
      // While reconnecting, flush waits for the server: bound it, the dispatcher retries.
      await within(open.flush(), options.timeoutMs, 'NATS flush');
    },
    close: async () => {
      const pending = connecting;
      connecting = null;
      if (pending === null) return;
      const open = await pending.catch(() => null);
      if (open !== null && !open.isClosed()) await open.drain();
    },
  };
}
