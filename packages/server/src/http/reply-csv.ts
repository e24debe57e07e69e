import type { FastifyInstance } from 'fastify';

/** CSV text from lines (RFC 4180 line breaks are fine as \n for every reader we target). */
export function csvText(lines: readonly string[]): string {
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

export const csvContentType = 'text/csv; charset=utf-8';

/** The routes of this plugin take a CSV body (text/csv or text/plain) as one string. */
export function acceptCsvBodies(app: Pick<FastifyInstance, 'removeAllContentTypeParsers' |
  'addContentTypeParser'>): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string' },
    (_request, body, done) => done(null, body));
}

/** The weight a client's Accept header gives a media type (wildcard ranges count too). */
function weightOf(accept: string, type: string): number {
  const [major] = type.split('/');
  let best = -1;
  let bestSpecificity = -1;
  for (const part of accept.split(',').slice(0, acceptRangesMax)) {
    const [range = '', ...parameters] = part.trim().toLowerCase().split(';');
    const specificity = range === type ? 2
      : range === `${major}/*` ? 1 : range === '*/*' ? 0 : -1;
    if (specificity <= bestSpecificity) continue;
    const q = parameters.map((parameter) => /^\s*q=([0-9.]+)\s*$/.exec(parameter)?.[1])
      .find((value) => value !== undefined);
    best = q === undefined ? 1 : Number(q);
    bestSpecificity = specificity;
  }
  return best;
}

/** Media ranges of one Accept header read at most (a bound on hostile headers). */
const acceptRangesMax = 32;

/**
 * True when the client asks for CSV rather than JSON (`Accept: text/csv`, or CSV weighted
 * above JSON). Without an Accept header, or with wildcards only, the answer stays JSON.
 */
export function acceptsCsvFirst(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  const csv = weightOf(accept, 'text/csv');
  return csv > 0 && csv > weightOf(accept, 'application/json');
}
