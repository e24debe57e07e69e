import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { HttpProblem, httpProblem } from './http-problem.ts';
import type { ApiCode } from './error-mapping.ts';

/** Validation errors listed in a problem body, at most. */
const fieldErrorsMax = 10;
/** Messages that echo input (a URL, a value) are cut: a problem body stays small. */
const messageCharsMax = 300;

/** TypeBox says "schema is false" for a field that `additionalProperties: false` forbids. */
function fieldMessage(message: string | undefined): string {
  if (message === undefined) return 'is invalid';
  return message === 'schema is false' ? 'is not a known field' : message;
}

function shortened(message: string): string {
  return message.length <= messageCharsMax ? message : `${message.slice(0, messageCharsMax)}...`;
}

/** Fastify's own errors for bad input, by code, to ours. Anything else 4xx is `bad_request`. */
const fastifyCodes: Readonly<Record<string, ApiCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'body_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
  FST_ERR_VALIDATION: 'validation_failed',
};

type ValidationFinding = NonNullable<FastifyError['validation']>[number];

/**
 * A value that must be one of several constants fails each of them ("must be equal to
 * constant" once per value, then "must match a schema in anyOf"): one line per field that
 * names the values allowed teaches more.
 */
function mergedFindings(findings: readonly ValidationFinding[]): Array<{
  instancePath: string; message: string | undefined;
}> {
  const allowedByPath = new Map<string, unknown[]>();
  for (const found of findings) {
    if (found.keyword !== 'const') continue;
    const allowed = (found.params as { allowedValue?: unknown }).allowedValue;
    allowedByPath.set(found.instancePath,
      [...allowedByPath.get(found.instancePath) ?? [], allowed]);
  }
  const merged: Array<{ instancePath: string; message: string | undefined }> = [];
  const done = new Set<string>();
  for (const found of findings) {
    const allowed = allowedByPath.get(found.instancePath);
    if (allowed === undefined || !(found.keyword === 'const' || found.keyword === 'anyOf')) {
      merged.push({ instancePath: found.instancePath, message: found.message });
      continue;
    }
    if (done.has(found.instancePath)) continue;
    done.add(found.instancePath);
    merged.push({ instancePath: found.instancePath,
      message: `must be one of ${allowed.map((value) => JSON.stringify(value)).join(', ')}` });
  }
  return merged;
}

/** Turns any error into a problem answer; bad input is never a 500. */
export function toHttpProblem(error: FastifyError | Error): HttpProblem {
  if (error instanceof HttpProblem) return error;
  const fastifyError = error as Partial<FastifyError>;
  if (fastifyError.validation !== undefined) {
    const context = fastifyError.validationContext ?? 'request';
    const errors = mergedFindings(fastifyError.validation).slice(0, fieldErrorsMax)
      .map((found) => ({
        path: `${context}${found.instancePath}`,
        message: fieldMessage(found.message),
      }));
    const first = errors[0];
    const message = first === undefined ? 'the request is invalid'
      : `${first.path} ${first.message}`;
    return new HttpProblem({ code: 'validation_failed', message, errors });
  }
  const code = fastifyError.code === undefined ? undefined : fastifyCodes[fastifyError.code];
  if (code !== undefined) return httpProblem(code, shortened(error.message));
  const status = fastifyError.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    return httpProblem('bad_request', shortened(error.message));
  }
  if (status === 503) return httpProblem('service_unavailable', shortened(error.message));
  return httpProblem('internal_error', 'an internal error occurred; it has been logged');
}

export function handleError(
  error: FastifyError | Error,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  let found = toHttpProblem(error);
  if (found.body.code === 'unsupported_media_type') {
    // Say what the route reads: JSON, unless it declares another type (a CSV upload).
    const wanted = request.routeOptions.schema?.consumes ?? ['application/json'];
    found = httpProblem('unsupported_media_type', `Content-Type ` +
      `${shortened(String(request.headers['content-type'] ?? '(none)'))} is not read here; ` +
      `send ${wanted.join(' or ')}`);
  }
  if (found.statusCode >= 500) {
    // A failed assertion or a storage failure: a bug or an outage, never the client's input.
    request.log.error({ err: error }, 'request failed');
  }
  if (found.body.code === 'unauthorized') reply.header('www-authenticate', 'Bearer');
  // A plain-text route (Kamailio's) declares its problems as one line, which would turn a
  // problem thrown before its handler (no key, scope, rate limit) into "[object Object]".
  if (request.routeOptions.schema?.produces?.includes('text/plain') === true) {
    reply.type('application/json; charset=utf-8').serializer(JSON.stringify);
  }
  return reply.code(found.statusCode).send(found.body);
}
