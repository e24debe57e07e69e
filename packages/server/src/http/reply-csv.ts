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
