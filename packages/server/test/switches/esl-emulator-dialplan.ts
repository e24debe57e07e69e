import { readFileSync } from 'node:fs';

/**
 * The part of FreeSWITCH's XML dialplan the emulator runs: the extensions of one context, each
 * with conditions (`field` matched against `expression`, all must match; the first matching
 * extension runs, as without `continue="true"`) and `set` / `bridge` actions, with `${var}`
 * and `$1` expanded. Read from the documented dialplan, so the test runs what operators copy.
 */
export interface DialplanAction {
  readonly application: string;
  readonly data: string;
}

export interface DialplanExtension {
  readonly name: string;
  readonly conditions: ReadonlyArray<{ field: string; expression: RegExp }>;
  readonly actions: readonly DialplanAction[];
}

export const documentedDialplan = new URL(
  '../../../../docs/integrations/freeswitch-dialplan.xml', import.meta.url).pathname;

const attribute = (tag: string, name: string) => {
  const found = new RegExp(`${name}="([^"]*)"`).exec(tag)?.[1];
  if (found === undefined) throw new Error(`dialplan: no ${name} in ${tag}`);
  return found.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&quot;', '"')
    .replaceAll('&amp;', '&');
};

export function readDialplanContext(path: string, context: string): DialplanExtension[] {
  const xml = readFileSync(path, 'utf8').replace(/<!--[\s\S]*?-->/g, '');
  const body = new RegExp(`<context name="${context}">([\\s\\S]*?)</context>`).exec(xml)?.[1];
  if (body === undefined) throw new Error(`dialplan: no context ${context}`);
  return [...body.matchAll(/<extension name="([^"]+)">([\s\S]*?)<\/extension>/g)]
    .map(([, name, inner]) => ({
      name: name!,
      conditions: [...inner!.matchAll(/<condition [^>]*>/g)].map(([tag]) => ({
        field: attribute(tag, 'field'), expression: new RegExp(attribute(tag, 'expression')) })),
      actions: [...inner!.matchAll(/<action [^>]*\/>/g)].map(([tag]) => ({
        application: attribute(tag, 'application'), data: attribute(tag, 'data') })),
    }));
}

export function expand(text: string, variables: Readonly<Record<string, string>>,
  captures: readonly string[]): string {
  return text.replace(/\$\{([\w]+)\}/g, (_all, name: string) => variables[name] ?? '')
    .replace(/\$(\d)/g, (_all, index: string) => captures[Number(index)] ?? '');
}

/** The actions of the first extension whose conditions all match, expanded lazily. */
export function matchExtension(extensions: readonly DialplanExtension[],
  channel: { destination: string; variables: Readonly<Record<string, string>> }):
  { extension: DialplanExtension; captures: string[] } | null {
  for (const extension of extensions) {
    let captures: string[] = [];
    const matched = extension.conditions.every(({ field, expression }) => {
      const value = field === 'destination_number' ? channel.destination
        : expand(field, channel.variables, captures);
      const match = expression.exec(value);
      if (match !== null && match.length > 1) captures = [...match];
      return match !== null;
    });
    if (matched) return { extension, captures };
  }
  return null;
}

/** One leg of a bridge string: `[k=v,...]dial/string`. */
export function parseLeg(leg: string): { variables: Record<string, string>; dial: string } {
  const match = /^\[([^\]]*)\](.*)$/.exec(leg);
  if (match === null) return { variables: {}, dial: leg };
  const variables = Object.fromEntries(match[1]!.split(',').filter((pair) => pair !== '')
    .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
  return { variables, dial: match[2]! };
}
