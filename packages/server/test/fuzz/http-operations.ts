import { readFileSync } from 'node:fs';

/**
 * Every operation of the committed OpenAPI document, as the HTTP fuzz needs it: method, path
 * template, the path parameters (read from the template, so an undocumented one is still
 * filled), the documented query parameters, and the kind of body.
 */
export interface Operation {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  readonly template: string;
  readonly pathParams: readonly string[];
  readonly queryParams: readonly string[];
  readonly body: 'json' | 'csv' | 'none';
  /** `METHOD template`: the key of the operation's valid request. */
  readonly name: string;
}

interface OpenApiOperation {
  readonly parameters?: ReadonlyArray<{ readonly name: string; readonly in: string }>;
  readonly requestBody?: { readonly content: Record<string, unknown> };
}

const document = JSON.parse(readFileSync(new URL('../../openapi.json', import.meta.url),
  'utf8')) as { paths: Record<string, Record<string, OpenApiOperation>> };

export const operations: readonly Operation[] = Object.entries(document.paths).flatMap(
  ([template, methods]) => Object.entries(methods).map(([method, operation]) => {
    const upper = method.toUpperCase() as Operation['method'];
    const content = operation.requestBody?.content ?? {};
    return {
      method: upper,
      template,
      pathParams: [...template.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]!),
      queryParams: (operation.parameters ?? []).filter((parameter) => parameter.in === 'query')
        .map((parameter) => parameter.name),
      body: 'application/json' in content ? 'json' : 'text/csv' in content ? 'csv' : 'none',
      name: `${upper} ${template}`,
    } satisfies Operation;
  }));

/** The URL of an operation: path values percent-encoded unless `raw`, then the query. */
export function urlOf(
  template: string,
  path: Readonly<Record<string, string>>,
  query: Readonly<Record<string, string>>,
  raw: ReadonlySet<string> = new Set(),
): string {
  const filled = template.replace(/\{([^}]+)\}/g, (_whole, name: string) => {
    const value = path[name] ?? '';
    // Raw only where a URL can hold it as is. A lone surrogate has no UTF-8 to encode: the
    // round trip through a Buffer makes it U+FFFD, as a client library would.
    return raw.has(name) && /^[\x21-\x7e]*$/.test(value) ? value
      : encodeURIComponent(Buffer.from(value, 'utf8').toString('utf8'));
  });
  const search = new URLSearchParams(Object.entries(query)).toString();
  return search === '' ? filled : `${filled}?${search}`;
}
