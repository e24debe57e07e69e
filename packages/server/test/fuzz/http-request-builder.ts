import type { InjectOptions } from 'fastify';
import { adminKey } from '../http/http-fixture.ts';
import type { KeyChoice, RequestPlan, Spoil } from './http-arbitraries.ts';
import { operations, urlOf, type Operation } from './http-operations.ts';
import { validRequests, type FuzzContext, type ValidRequest } from './http-valid-requests.ts';

/** One built request: what `inject` gets, and a short text for failure messages. */
export interface BuiltRequest {
  readonly operation: Operation;
  readonly key: KeyChoice;
  readonly inject: InjectOptions;
  readonly label: string;
}

/** Headers a server must refuse as credentials. */
const garbageAuthorizations = ['Bearer not-a-key', 'Basic b3A6b3A=', 'Bearer',
  `Bearer ${adminKey}x`, `Bearer ${adminKey.slice(0, -1)}`, `Token ${adminKey}`];

function authorizationOf(key: KeyChoice, context: FuzzContext, fresh: number): string | null {
  switch (key) {
    case 'operator':
      return `Bearer ${adminKey}`;
    case 'customer':
      return `Bearer ${context.world.keys.cu1}`;
    case 'reseller':
      return `Bearer ${context.world.keys.rs}`;
    case 'none':
      return null;
    case 'garbage':
      return garbageAuthorizations[fresh % garbageAuthorizations.length]!;
  }
}

type Path = readonly (string | number)[];

/** Every place in a JSON value a field spoil can hit: objects, arrays and leaves, not the root. */
function fieldPaths(value: unknown, prefix: Path = []): Path[] {
  if (typeof value !== 'object' || value === null) return [];
  const entries = Array.isArray(value) ? value.map((item, index) => [index, item] as const)
    : Object.entries(value);
  return entries.flatMap(([name, child]) => [[...prefix, name], ...fieldPaths(child,
    [...prefix, name])]);
}

/** A copy of `root` with the value at `path` replaced, or removed when `value` is `remove`. */
function withValueAt(root: unknown, path: Path, value: unknown, remove: boolean): unknown {
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let parent = copy;
  for (const step of path.slice(0, -1)) parent = parent[step] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  if (remove && Array.isArray(parent)) parent.splice(Number(last), 1);
  else if (remove) Reflect.deleteProperty(parent, last);
  else Object.defineProperty(parent, last, { value, enumerable: true, writable: true,
    configurable: true });
  return copy;
}

interface Body {
  readonly payload: string | undefined;
  readonly contentType: string | null;
}

/** Stands for the literal while the body is stringified, then gives way to it. */
const marker = '@@literal@@';

/** The body of the valid request after the spoil. */
function bodyOf(operation: Operation, valid: ValidRequest, spoil: Spoil): Body {
  const asJson = (value: unknown): Body => ({ payload: JSON.stringify(value) ?? 'null',
    contentType: 'application/json' });
  const base = valid.body;
  const paths = fieldPaths(base);
  switch (spoil.kind) {
    case 'raw':
      return { payload: spoil.text, contentType: spoil.contentType };
    case 'csv':
      return { payload: spoil.text, contentType: 'text/csv' };
    case 'body':
      return asJson(spoil.value);
    case 'field':
      if (paths.length === 0) return asJson(spoil.value);
      return asJson(withValueAt(base, paths[spoil.field % paths.length]!, spoil.value,
        spoil.remove));
    case 'extra': {
      if (typeof base !== 'object' || base === null) return asJson({ [spoil.name]: spoil.value });
      return asJson(withValueAt(base, [spoil.name], spoil.value, false));
    }
    case 'literal': {
      const at = paths[spoil.field % Math.max(1, paths.length)];
      const text = at === undefined ? spoil.literal : JSON.stringify(withValueAt(base, at,
        marker, false)).replace(JSON.stringify(marker), () => spoil.literal);
      return { payload: text, contentType: 'application/json' };
    }
    default:
      if (operation.body === 'csv') return { payload: String(base), contentType: 'text/csv' };
      return base === undefined ? { payload: undefined, contentType: null } : asJson(base);
  }
}

/** The URL of the valid request after a path or query spoil. */
function urlAfter(operation: Operation, valid: ValidRequest, spoil: Spoil): string {
  const path = { ...valid.path };
  const query = { ...valid.query };
  const raw = new Set<string>();
  if (spoil.kind === 'path' && operation.pathParams.length > 0) {
    const name = operation.pathParams[spoil.param % operation.pathParams.length]!;
    path[name] = spoil.value;
    if (spoil.raw) raw.add(name);
  }
  if (spoil.kind === 'query') {
    const names = [...new Set([...operation.queryParams, ...Object.keys(query)])];
    const name = spoil.added ?? names[spoil.param % Math.max(1, names.length)] ?? 'x';
    if (spoil.value === null) Reflect.deleteProperty(query, name);
    else query[name] = spoil.value;
  }
  return urlOf(operation.template, path, query, raw);
}

export function buildRequest(plan: RequestPlan, context: FuzzContext, fresh: number):
  BuiltRequest {
  const operation = operations[plan.operation]!;
  const maker = validRequests[operation.name];
  if (maker === undefined) throw new Error(`no valid request for ${operation.name}`);
  const valid = maker(context, String(fresh));
  const body = bodyOf(operation, valid, plan.spoil);
  const url = urlAfter(operation, valid, plan.spoil);
  const headers: Record<string, string> = {};
  const authorization = authorizationOf(plan.key, context, fresh);
  if (authorization !== null) headers['authorization'] = authorization;
  if (body.contentType !== null) headers['content-type'] = body.contentType;
  const label = `${operation.method} ${url.slice(0, 200)} key=${plan.key} ` +
    `body=${(body.payload ?? '').slice(0, 200)}`;
  return { operation, key: plan.key, label,
    inject: { method: operation.method, url, headers,
      ...(body.payload === undefined ? {} : { payload: body.payload }) } };
}
