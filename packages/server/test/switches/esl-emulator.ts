import { createServer, type Server, type Socket } from 'node:net';
import {
  expand,
  matchExtension,
  parseLeg,
  type DialplanExtension,
} from './esl-emulator-dialplan.ts';

/**
 * A FreeSWITCH event socket (mod_event_socket, inbound mode) for tests, speaking the real wire
 * format (protocols.md section 6): `auth/request` on connect, `command/reply` with Reply-Text,
 * `api/response` with a Content-Length body, and `text/event-plain` events whose body is
 * URL-encoded `Key: value` lines (or `text/event-json` to `event json` subscribers). Channels
 * are scripted by the test (park, answer, hang up); `sched_hangup` and `uuid_kill` act on them
 * like FreeSWITCH does, and every command is recorded. With a dialplan context, `uuid_transfer`
 * to it runs that context (esl-emulator-dialplan.ts): `bridge` dials each `|` leg in order as
 * an outbound B-leg whose fate `gatewayOutcome` decides (answer, or a hang-up cause), like
 * FreeSWITCH's failover; `uuid_setvar` sets A-leg variables the dialplan reads.
 */
export interface EmulatedChannel {
  readonly uuid: string;
  readonly variables: Record<string, string>;
  readonly caller: string;
  readonly destination: string;
  /** Inbound A-leg (default) or an outbound B-leg of a bridge. */
  readonly direction?: 'inbound' | 'outbound';
  /** A-leg: its answered B-leg; B-leg: its A-leg. */
  otherLeg?: string;
  answeredAtMs: number | null;
  hangupTimer: NodeJS.Timeout | undefined;
  ended: boolean;
}

export interface RecordedCommand {
  readonly atMs: number;
  readonly text: string;
}

interface Client {
  readonly socket: Socket;
  authed: boolean;
  format: 'plain' | 'json' | null;
  events: Set<string>;
}

/** What a gateway does with a leg: answer it, or fail it with a FreeSWITCH hang-up cause. */
export type GatewayOutcome = 'answer' | string;

/** How long a gateway takes to answer or fail a leg. */
const legDelayMs = 30;

export class EslEmulator {
  readonly commands: RecordedCommand[] = [];
  /** The dial string of every B-leg tried, in order, and what became of it. */
  readonly legs: Array<{ aLeg: string; uuid: string; dial: string; outcome: GatewayOutcome }> =
    [];
  /** Decides each B-leg's fate by its dial string (default: every gateway answers). */
  gatewayOutcome: (dial: string) => GatewayOutcome = () => 'answer';
  /** The context `uuid_transfer` runs, when the test loaded one. */
  dialplan: { context: string; extensions: readonly DialplanExtension[] } | null = null;
  readonly channels = new Map<string, EmulatedChannel>();
  readonly hangups: Array<{ uuid: string; cause: string; billsec: number }> = [];
  readonly #clients = new Set<Client>();
  readonly #server: Server;
  readonly #password: string;

  private constructor(password: string) {
    this.#password = password;
    this.#server = createServer((socket) => this.#accept(socket));
  }

  static async start(password = 'ClueCon'): Promise<EslEmulator> {
    const emulator = new EslEmulator(password);
    await new Promise<void>((resolve) => emulator.#server.listen(0, '127.0.0.1', resolve));
    return emulator;
  }

  get port(): number {
    const address = this.#server.address();
    return typeof address === 'object' && address !== null ? address.port : 0;
  }

  get connections(): number {
    return this.#clients.size;
  }

  /** Cuts every client connection (a network blip); channels go on. */
  dropConnections(): void {
    for (const client of this.#clients) client.socket.destroy();
  }

  async stop(): Promise<void> {
    for (const channel of this.channels.values()) clearTimeout(channel.hangupTimer);
    this.dropConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** Sends raw bytes to every connected client (malformed input tests). */
  sendRaw(bytes: string): void {
    for (const client of this.#clients) client.socket.write(bytes);
  }

  /** A new inbound call that parks in the dialplan with these channel variables. */
  park(call: { uuid: string; caller: string; destination: string;
    variables: Record<string, string> }): void {
    const channel: EmulatedChannel = { ...call, answeredAtMs: null, hangupTimer: undefined,
      ended: false };
    this.channels.set(call.uuid, channel);
    this.emit('CHANNEL_PARK', channel, {});
  }

  answer(uuid: string): void {
    const channel = this.channels.get(uuid);
    if (channel === undefined || channel.ended) return;
    channel.answeredAtMs = Date.now();
    this.emit('CHANNEL_ANSWER', channel, {});
  }

  hangup(uuid: string, cause = 'NORMAL_CLEARING', emit = true): void {
    const channel = this.channels.get(uuid);
    if (channel === undefined || channel.ended) return;
    channel.ended = true;
    // hangup_after_bridge: the two legs of a bridged call end together.
    if (channel.otherLeg !== undefined) setImmediate(() => this.hangup(channel.otherLeg!, cause));
    clearTimeout(channel.hangupTimer);
    const billsec = channel.answeredAtMs === null ? 0
      : Math.floor((Date.now() - channel.answeredAtMs) / 1000);
    this.hangups.push({ uuid, cause, billsec });
    if (emit) {
      this.emit('CHANNEL_HANGUP_COMPLETE', channel, { 'Hangup-Cause': cause,
        variable_billsec: String(billsec), variable_duration: String(billsec) });
    }
  }

  emit(name: string, channel: EmulatedChannel, extra: Record<string, string>): void {
    const headers: Record<string, string> = { 'Event-Name': name,
      'Core-UUID': 'emulated-core', 'Unique-ID': channel.uuid,
      'Call-Direction': channel.direction ?? 'inbound',
      'Caller-Caller-ID-Number': channel.caller,
      'Caller-Destination-Number': channel.destination,
      'Caller-Channel-Answered-Time': channel.answeredAtMs === null ? '0'
        : String(channel.answeredAtMs * 1000),
      'Event-Date-Timestamp': String(Date.now() * 1000) };
    for (const [key, value] of Object.entries(channel.variables)) {
      headers[`variable_${key}`] = value;
    }
    Object.assign(headers, extra);
    for (const client of this.#clients) {
      if (!client.authed || client.format === null) continue;
      if (!client.events.has(name) && !client.events.has('ALL')) continue;
      client.socket.write(client.format === 'json' ? jsonEvent(headers) : plainEvent(headers));
    }
  }

  #accept(socket: Socket): void {
    const client: Client = { socket, authed: false, format: null, events: new Set() };
    this.#clients.add(client);
    socket.on('close', () => this.#clients.delete(client));
    socket.on('error', () => {});
    socket.write('Content-Type: auth/request\n\n');
    let buffer = '';
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const text = buffer.slice(0, end).trim();
        buffer = buffer.slice(end + 2);
        if (text !== '') this.#command(client, text);
      }
    });
  }

  /** Runs the first matching extension's `set` and `bridge` actions on an A-leg. */
  async #runDialplan(channel: EmulatedChannel, extensions: readonly DialplanExtension[]) {
    const found = matchExtension(extensions, channel);
    if (found === null) return this.hangup(channel.uuid, 'NO_ROUTE_DESTINATION');
    for (const action of found.extension.actions) {
      const data = expand(action.data, channel.variables, found.captures);
      if (action.application === 'set') {
        const at = data.indexOf('=');
        channel.variables[data.slice(0, at)] = data.slice(at + 1);
      } else if (action.application === 'bridge') {
        const bridged = await this.#bridge(channel, data);
        if (bridged) return;
      }
    }
    // The dialplan has nothing left to run: the channel hangs up a moment later.
    await new Promise((resolve) => setTimeout(resolve, legDelayMs));
    this.hangup(channel.uuid, 'NORMAL_TEMPORARY_FAILURE');
  }

  /** FreeSWITCH's `|` failover: each leg in turn until one answers or a reject ends it. */
  async #bridge(channel: EmulatedChannel, dialString: string): Promise<boolean> {
    const rejects = (channel.variables['fail_on_single_reject'] ?? '').split(',');
    for (const [index, leg] of dialString.split('|').entries()) {
      await new Promise((resolve) => setTimeout(resolve, legDelayMs));
      if (channel.ended) return true;
      const { variables, dial } = parseLeg(leg);
      const bLeg: EmulatedChannel = { uuid: `${channel.uuid}-leg${index + 1}`, variables,
        caller: channel.caller, destination: dial.split('/').at(-1) ?? '',
        direction: 'outbound', otherLeg: channel.uuid, answeredAtMs: null,
        hangupTimer: undefined, ended: false };
      this.channels.set(bLeg.uuid, bLeg);
      const outcome = this.gatewayOutcome(dial);
      this.legs.push({ aLeg: channel.uuid, uuid: bLeg.uuid, dial, outcome });
      if (outcome === 'answer') {
        channel.otherLeg = bLeg.uuid;
        this.answer(bLeg.uuid);
        this.answer(channel.uuid);
        return true;
      }
      bLeg.otherLeg = undefined;
      this.hangup(bLeg.uuid, outcome);
      if (rejects.includes(outcome)) return false;
    }
    return false;
  }

  #command(client: Client, text: string): void {
    this.commands.push({ atMs: Date.now(), text });
    const reply = (replyText: string) =>
      client.socket.write(`Content-Type: command/reply\nReply-Text: ${replyText}\n\n`);
    if (!client.authed) {
      if (text === `auth ${this.#password}`) {
        client.authed = true;
        reply('+OK accepted');
      } else {
        reply('-ERR invalid');
        client.socket.end('Content-Type: text/disconnect-notice\nContent-Length: 0\n\n');
      }
      return;
    }
    const words = text.split(/\s+/);
    if (words[0] === 'event' && (words[1] === 'plain' || words[1] === 'json')) {
      client.format = words[1];
      for (const name of words.slice(2)) client.events.add(name);
      reply(`+OK event listener enabled ${words[1]}`);
    } else if (words[0] === 'api') {
      const body = this.#api(words.slice(1));
      client.socket.write(`Content-Type: api/response\nContent-Length: ` +
        `${Buffer.byteLength(body)}\n\n${body}`);
    } else if (words[0] === 'exit') {
      reply('+OK bye');
      client.socket.end();
    } else reply('-ERR command not found');
  }

  #api(words: string[]): string {
    const [name, first, second] = words;
    if (name === 'uuid_kill') {
      const channel = this.channels.get(first ?? '');
      if (channel === undefined || channel.ended) return '-ERR No such channel!\n';
      setImmediate(() => this.hangup(channel.uuid, second ?? 'NORMAL_CLEARING'));
      return '+OK\n';
    }
    if (name === 'sched_hangup') {
      const channel = this.channels.get(second ?? '');
      const seconds = Number((first ?? '').replace(/^\+/, ''));
      if (channel === undefined || channel.ended || !Number.isInteger(seconds)) {
        return '-ERR No such channel!\n';
      }
      // Like FreeSWITCH, a channel has one scheduled hangup: arming again replaces it.
      clearTimeout(channel.hangupTimer);
      channel.hangupTimer = setTimeout(() =>
        this.hangup(channel.uuid, words[3] ?? 'ALLOTTED_TIMEOUT'), seconds * 1000);
      return `+OK Hangup scheduled for ${seconds} seconds\n`;
    }
    if (name === 'uuid_transfer') {
      const channel = this.channels.get(first ?? '');
      if (channel === undefined || channel.ended) return '-ERR No such channel!\n';
      // uuid_transfer <uuid> <extension> XML <context>
      if (this.dialplan !== null && words[4] === this.dialplan.context) {
        setImmediate(() => void this.#runDialplan(channel, this.dialplan!.extensions));
      }
      return '+OK\n';
    }
    if (name === 'uuid_setvar') {
      const channel = this.channels.get(first ?? '');
      if (channel === undefined || channel.ended || second === undefined) {
        return '-ERR No such channel!\n';
      }
      channel.variables[second] = words.slice(3).join(' ');
      return '+OK\n';
    }
    if (name === 'uuid_exists') {
      const channel = this.channels.get(first ?? '');
      return channel !== undefined && !channel.ended ? 'true' : 'false';
    }
    if (name === 'status') return 'UP 0 years, 0 days\nFreeSWITCH (emulated) is ready\n';
    return `-ERR ${name ?? ''} Command not found!\n`;
  }
}

function plainEvent(headers: Record<string, string>): string {
  const body = Object.entries(headers)
    .map(([key, value]) => `${key}: ${encodeURIComponent(value)}\n`).join('') + '\n';
  return `Content-Length: ${Buffer.byteLength(body)}\nContent-Type: text/event-plain\n\n${body}`;
}

function jsonEvent(headers: Record<string, string>): string {
  const body = JSON.stringify(headers);
  return `Content-Length: ${Buffer.byteLength(body)}\nContent-Type: text/event-json\n\n${body}`;
}
