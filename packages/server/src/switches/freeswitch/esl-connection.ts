import { connect, type Socket } from 'node:net';
import { EslStreamParser, parsePlainEvent, type EslMessage } from './esl-parser.ts';

export const eslConnectionLimits = {
  /** Commands waiting for their reply; past it a command fails at once. */
  commandsInFlightMax: 1_000,
  /** A command without a reply by then fails (the connection is then closed). */
  commandTimeoutMs: 5_000,
  connectTimeoutMs: 3_000,
} as const;

export interface EslEvents {
  /** A `text/event-plain` event, its headers decoded. */
  onEvent(event: EslMessage): void;
  /** The connection ended (closed by either side, or after a protocol problem). */
  onClose(reason: string): void;
}

interface Waiting {
  readonly resolve: (reply: EslMessage) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * One inbound event-socket connection: connect, answer `auth/request` with the password,
 * subscribe to plain events. Replies (`command/reply`, `api/response`) come back in the order
 * the commands were sent, so they are matched to a FIFO of waiting commands.
 */
export class EslConnection {
  readonly #socket: Socket;
  readonly #parser = new EslStreamParser();
  readonly #waiting: Waiting[] = [];
  readonly #events: EslEvents;
  #closed = false;

  private constructor(socket: Socket, events: EslEvents) {
    this.#socket = socket;
    this.#events = events;
  }

  /** Connects and authenticates; rejects on a wrong password or no FreeSWITCH there. */
  static async open(options: { host: string; port: number; password: string;
    events: readonly string[]; handlers: EslEvents }): Promise<EslConnection> {
    const socket = connect({ host: options.host, port: options.port });
    socket.setNoDelay(true);
    const connection = new EslConnection(socket, options.handlers);
    const authRequested = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no auth/request from the event socket')),
        eslConnectionLimits.connectTimeoutMs);
      connection.#onAuthRequest = () => {
        clearTimeout(timer);
        resolve();
      };
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    socket.on('data', (chunk: Buffer) => connection.#receive(chunk));
    socket.on('close', () => connection.#shutDown('connection closed'));
    socket.on('error', () => connection.#shutDown('connection error'));
    try {
      await authRequested;
      const auth = await connection.command(`auth ${options.password}`);
      if (!(auth.headers.get('Reply-Text') ?? '').startsWith('+OK')) {
        throw new Error(`event socket refused the password: ${auth.headers.get('Reply-Text')}`);
      }
      const subscribed = await connection.command(`event plain ${options.events.join(' ')}`);
      if (!(subscribed.headers.get('Reply-Text') ?? '').startsWith('+OK')) {
        throw new Error('event socket refused the subscription');
      }
    } catch (error) {
      connection.close();
      throw error;
    }
    return connection;
  }

  #onAuthRequest: () => void = () => {};

  get closed(): boolean {
    return this.#closed;
  }

  /** Sends one command (`auth ...`, `event ...`, `api ...`) and waits for its reply. */
  command(text: string): Promise<EslMessage> {
    if (this.#closed) return Promise.reject(new Error('event socket not connected'));
    if (/[\r\n]/.test(text)) return Promise.reject(new Error('a command is one line'));
    if (this.#waiting.length >= eslConnectionLimits.commandsInFlightMax) {
      return Promise.reject(new Error('too many event-socket commands in flight'));
    }
    return new Promise<EslMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        // Replies are matched by order: one lost reply shifts every later one, so the
        // connection is not trusted any more.
        this.#shutDown(`no reply to "${text.split(' ')[0]}"`);
      }, eslConnectionLimits.commandTimeoutMs);
      this.#waiting.push({ resolve, reject, timer });
      this.#socket.write(`${text}\n\n`);
    });
  }

  /** `api <command>`: the body of its `api/response` (`+OK ...` or `-ERR ...`). */
  async api(text: string): Promise<string> {
    const reply = await this.command(`api ${text}`);
    return reply.body.trim();
  }

  close(): void {
    this.#socket.destroy();
    this.#shutDown('closed by Tollgate');
  }

  #receive(chunk: Buffer): void {
    const { messages, problem } = this.#parser.push(chunk);
    for (const message of messages) this.#dispatch(message);
    if (problem !== null) {
      this.#socket.destroy();
      this.#shutDown(`esl_${problem}`);
    }
  }

  #dispatch(message: EslMessage): void {
    const type = message.headers.get('Content-Type');
    if (type === 'auth/request') this.#onAuthRequest();
    else if (type === 'command/reply' || type === 'api/response') {
      const waiting = this.#waiting.shift();
      if (waiting !== undefined) {
        clearTimeout(waiting.timer);
        waiting.resolve(message);
      }
    } else if (type === 'text/event-plain') this.#events.onEvent(parsePlainEvent(message.body));
    else if (type === 'text/disconnect-notice') this.#shutDown('disconnect notice');
  }

  #shutDown(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.destroy();
    for (const waiting of this.#waiting.splice(0)) {
      clearTimeout(waiting.timer);
      waiting.reject(new Error(`event socket: ${reason}`));
    }
    this.#events.onClose(reason);
  }
}
