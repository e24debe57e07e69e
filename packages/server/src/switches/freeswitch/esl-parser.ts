/**
 * FreeSWITCH event socket framing: a message is `Name: value` header lines ending with a blank
 * line, then, when the headers carry Content-Length, that many bytes of body. Events
 * (`Content-Type: text/event-plain`) carry their own headers in the body, URL-encoded, and may
 * carry a body of their own after another blank line (with its own Content-Length).
 */
export const eslLimits = {
  /** Longest header block of one message. */
  headerBytesMax: 64 * 1024,
  /** Longest body (an event with all its channel variables is a few KiB). */
  bodyBytesMax: 1024 * 1024,
} as const;

export interface EslMessage {
  readonly headers: ReadonlyMap<string, string>;
  readonly body: string;
}

export type EslParseProblem = 'header_too_long' | 'body_too_long' | 'bad_content_length';

function parseHeaderLines(text: string, decode: boolean): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    const raw = line.slice(colon + 1).trim();
    let value = raw;
    if (decode) {
      try {
        value = decodeURIComponent(raw);
      } catch {
        // A value that is not valid percent-encoding is kept as sent rather than dropped.
        value = raw;
      }
    }
    headers.set(name, value);
  }
  return headers;
}

/** The headers of a `text/event-plain` body (URL-encoded values) and its own body. */
export function parsePlainEvent(body: string): EslMessage {
  const end = body.indexOf('\n\n');
  const headerText = end < 0 ? body : body.slice(0, end);
  const headers = parseHeaderLines(headerText, true);
  const length = Number(headers.get('Content-Length') ?? '0');
  const rest = end < 0 ? '' : body.slice(end + 2);
  return { headers, body: Number.isSafeInteger(length) && length > 0 ? rest.slice(0, length) : '' };
}

/**
 * Splits a byte stream into messages. Push whatever the socket delivers; complete messages
 * come out in order. After a problem the stream cannot be re-synchronised: the caller closes
 * the connection.
 */
export class EslStreamParser {
  #buffer: Buffer = Buffer.alloc(0);
  #pending: Map<string, string> | null = null;
  #bodyBytes = 0;

  push(chunk: Buffer): { messages: EslMessage[]; problem: EslParseProblem | null } {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    const messages: EslMessage[] = [];
    for (;;) {
      if (this.#pending === null) {
        const end = this.#buffer.indexOf('\n\n');
        if (end < 0) {
          const problem = this.#buffer.length > eslLimits.headerBytesMax ? 'header_too_long'
            : null;
          return { messages, problem };
        }
        if (end > eslLimits.headerBytesMax) return { messages, problem: 'header_too_long' };
        const headers = parseHeaderLines(this.#buffer.subarray(0, end).toString('utf8'), false);
        this.#buffer = this.#buffer.subarray(end + 2);
        const lengthText = headers.get('Content-Length');
        const length = lengthText === undefined ? 0 : Number(lengthText);
        if (!Number.isSafeInteger(length) || length < 0) {
          return { messages, problem: 'bad_content_length' };
        }
        if (length > eslLimits.bodyBytesMax) return { messages, problem: 'body_too_long' };
        if (length === 0) {
          if (headers.size > 0) messages.push({ headers, body: '' });
          continue;
        }
        this.#pending = headers;
        this.#bodyBytes = length;
      }
      if (this.#buffer.length < this.#bodyBytes) return { messages, problem: null };
      const body = this.#buffer.subarray(0, this.#bodyBytes).toString('utf8');
      this.#buffer = this.#buffer.subarray(this.#bodyBytes);
      messages.push({ headers: this.#pending, body });
      this.#pending = null;
    }
  }
}
