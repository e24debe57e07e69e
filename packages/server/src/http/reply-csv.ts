/** CSV text from lines (RFC 4180 line breaks are fine as \n for every reader we target). */
export function csvText(lines: readonly string[]): string {
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

export const csvContentType = 'text/csv; charset=utf-8';
