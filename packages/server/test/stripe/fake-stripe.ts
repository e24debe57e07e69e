import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for Stripe's API, for tests only (Stripe cannot be reached from here). It
 * speaks the wire format the official SDK speaks: form-encoded requests with bracketed keys,
 * Bearer secret key, `Idempotency-Key` (a repeated key answers the stored response, as Stripe
 * does), JSON objects shaped as Stripe documents them (`customer`, `setup_intent`,
 * `payment_method`, `payment_intent`) and errors as `{ "error": { "type": "card_error",
 * "code": ..., "decline_code": ..., "payment_intent": {...} } }` with status 402.
 */
export type CardBehaviour = 'succeed' | 'card_declined' | 'authentication_required';

interface Stored { readonly status: number; readonly body: string }

export interface PaymentIntentCreate {
  readonly idempotencyKey: string | null;
  readonly fields: Readonly<Record<string, string>>;
}

export class FakeStripe {
  /** What the next off-session payment does. */
  behaviour: CardBehaviour = 'succeed';
  /** When set, requests are read and never answered (a Stripe that hangs). */
  stalled = false;
  readonly secretKey: string;
  /** Every POST /v1/payment_intents received, replays included. */
  readonly intentRequests: PaymentIntentCreate[] = [];
  readonly intents = new Map<string, Record<string, unknown>>();
  #server: Server | null = null;
  #port = 0;
  #sequence = 0;
  readonly #idempotent = new Map<string, Stored & { requestText: string }>();

  constructor(secretKey: string) {
    this.secretKey = secretKey;
  }

  get port(): number {
    return this.#port;
  }

  /** Listens on a free port (or the port it had, after a stop). */
  async start(): Promise<void> {
    const server = createServer((request, response) => {
      void this.#answer(request, response);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, '127.0.0.1', () => resolve());
    });
    this.#port = (server.address() as AddressInfo).port;
    this.#server = server;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    if (server === null) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Distinct payments created (a replayed idempotency key is the same payment). */
  get paymentsCreated(): number {
    return this.intents.size;
  }

  #id(prefix: string): string {
    this.#sequence += 1;
    return `${prefix}_${String(this.#sequence).padStart(14, '0')}`;
  }

  async #answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const fields = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString()));
    const key = request.headers['idempotency-key'];
    const idempotencyKey = typeof key === 'string' ? key : null;
    const path = (request.url ?? '').split('?')[0] ?? '';
    const send = (stored: Stored) => {
      response.writeHead(stored.status, { 'content-type': 'application/json',
        'request-id': this.#id('req'), ...(idempotencyKey === null ? {}
          : { 'idempotency-key': idempotencyKey }) });
      response.end(stored.body);
    };
    if (request.headers.authorization !== `Bearer ${this.secretKey}`) {
      send(errorOf(401, { type: 'invalid_request_error',
        message: 'Invalid API Key provided' }));
      return;
    }
    if (request.method === 'POST' && path === '/v1/payment_intents') {
      this.intentRequests.push({ idempotencyKey, fields });
    }
    if (this.stalled) return;
    const replay = idempotencyKey === null ? undefined
      : this.#idempotent.get(`${path}|${idempotencyKey}`);
    const requestText = JSON.stringify(fields);
    if (replay !== undefined) {
      // Stripe refuses a key reused with other parameters, and replays it otherwise
      send(replay.requestText === requestText ? replay : errorOf(400, {
        type: 'idempotency_error', message: 'Keys for idempotent requests can only be used ' +
          'with the same parameters they were first used with.' }));
      return;
    }
    const stored = this.#route(request.method ?? 'GET', path, fields);
    if (idempotencyKey !== null && request.method === 'POST') {
      this.#idempotent.set(`${path}|${idempotencyKey}`, { ...stored, requestText });
    }
    send(stored);
  }

  #route(method: string, path: string, fields: Record<string, string>): Stored {
    const created = Math.floor(Date.now() / 1000);
    if (method === 'POST' && path === '/v1/customers') {
      return ok({ id: this.#id('cus'), object: 'customer', created, livemode: false,
        name: fields['name'] ?? null, email: null, metadata: metadataOf(fields) });
    }
    if (method === 'POST' && path === '/v1/setup_intents') {
      const id = this.#id('seti');
      return ok({ id, object: 'setup_intent', client_secret: `${id}_secret_${this.#id('s')}`,
        created, customer: fields['customer'] ?? null, livemode: false,
        metadata: metadataOf(fields), payment_method: null, status: 'requires_payment_method',
        usage: fields['usage'] ?? 'off_session' });
    }
    const method_ = /^\/v1\/payment_methods\/([A-Za-z0-9_]+)$/.exec(path);
    if (method === 'GET' && method_ !== null) {
      return ok({ id: method_[1], object: 'payment_method', type: 'card', created,
        customer: null, livemode: false, metadata: {},
        card: { brand: 'visa', last4: '4242', exp_month: 12, exp_year: 2030,
          country: 'US', funding: 'credit' } });
    }
    if (method === 'POST' && path === '/v1/payment_intents') return this.#paymentIntent(fields);
    return errorOf(404, { type: 'invalid_request_error',
      message: `Unrecognized request URL (${method}: ${path}).` });
  }

  #paymentIntent(fields: Record<string, string>): Stored {
    const id = this.#id('pi');
    const amount = Number(fields['amount']);
    const base = { id, object: 'payment_intent', amount, amount_capturable: 0,
      amount_received: 0, currency: fields['currency'], customer: fields['customer'] ?? null,
      payment_method: fields['payment_method'] ?? null, client_secret: `${id}_secret_x`,
      capture_method: 'automatic', confirmation_method: 'automatic',
      created: Math.floor(Date.now() / 1000), livemode: false, metadata: metadataOf(fields),
      last_payment_error: null, next_action: null };
    if (this.behaviour === 'succeed') {
      const intent = { ...base, status: 'succeeded', amount_received: amount };
      this.intents.set(id, intent);
      return ok(intent);
    }
    const sca = this.behaviour === 'authentication_required';
    const lastError = { type: 'card_error', code: this.behaviour,
      decline_code: sca ? 'authentication_required' : 'generic_decline',
      message: sca ? 'Your card was declined. This transaction requires authentication.'
        : 'Your card was declined.',
      doc_url: `https://stripe.com/docs/error-codes/${this.behaviour.replaceAll('_', '-')}` };
    const intent = { ...base, status: 'requires_payment_method', last_payment_error: lastError };
    this.intents.set(id, intent);
    return errorOf(402, { ...lastError, payment_intent: intent,
      request_log_url: `https://dashboard.stripe.com/test/logs/${id}` });
  }
}

function ok(body: unknown): Stored {
  return { status: 200, body: JSON.stringify(body) };
}

function errorOf(status: number, error: Record<string, unknown>): Stored {
  return { status, body: JSON.stringify({ error }) };
}

function metadataOf(fields: Record<string, string>): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(fields)) {
    const match = /^metadata\[(.+)\]$/.exec(name);
    if (match !== null) metadata[match[1]!] = value;
  }
  return metadata;
}
