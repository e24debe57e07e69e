import { formatMicrosTrimmed, parseMicros, type Micros } from '@tollgate/core';

// A small HTTP client for the engine tests. A request either gets an answer (any status) or is
// lost (refused connection, reset, timeout): a lost request's outcome is unknown, exactly as
// for a switch whose node died under it.

const requestTimeoutMs = 10_000;

export interface Reply {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

export type Sent =
  | { readonly answered: true; readonly reply: Reply }
  | { readonly answered: false; readonly reason: string };

export interface ApiClient {
  readonly baseUrl: string;
  send(method: string, path: string, body?: unknown): Promise<Sent>;
  /** For setup and reads: a lost request or an answer >= 300 throws. */
  ok(method: string, path: string, body?: unknown): Promise<Record<string, unknown>>;
}

export function apiClient(baseUrl: string, key: string): ApiClient {
  const send = async (method: string, path: string, body?: unknown): Promise<Sent> => {
    const headers: Record<string, string> = { authorization: `Bearer ${key}` };
    let payload: string | undefined;
    if (typeof body === 'string') {
      headers['content-type'] = 'text/csv';
      payload = body;
    } else if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    try {
      const response = await fetch(`${baseUrl}${path}`, { method, headers,
        signal: AbortSignal.timeout(requestTimeoutMs),
        ...(payload === undefined ? {} : { body: payload }) });
      const text = await response.text();
      return { answered: true, reply: { status: response.status, body: parseBody(text) } };
    } catch (error) {
      return { answered: false, reason: reasonOf(error) };
    }
  };
  return {
    baseUrl,
    send,
    ok: async (method, path, body) => {
      const sent = await send(method, path, body);
      if (!sent.answered) throw new Error(`${method} ${path}: no answer (${sent.reason})`);
      if (sent.reply.status >= 300) {
        throw new Error(`${method} ${path}: ${sent.reply.status} ` +
          JSON.stringify(sent.reply.body));
      }
      return sent.reply.body;
    },
  };
}

function parseBody(text: string): Record<string, unknown> {
  if (text === '') return {};
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { unparsed: text };
  }
}

/** fetch hides the socket error in `cause`; it is the useful part. */
function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as Error & { cause?: unknown }).cause;
  return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
}

/** An API amount to micros, exactly (never through a float). */
export function micros(text: unknown): Micros {
  const parsed = parseMicros(String(text), { allowNegative: true });
  if (!parsed.ok) throw new Error(`not an amount: ${String(text)}`);
  return parsed.value;
}

export function money(amount: bigint): string {
  return formatMicrosTrimmed(amount as Micros, 2);
}
