// Test support for rating: builds decks from terse row descriptions without the CSV parser, so
// rating tests do not depend on import code (import has its own tests).
import {
  micros,
  parseMicros,
  type CurrencyCode,
  type RateDeck,
  type RateRow,
  type RoundingMode,
  type TimeBandLine,
} from '../src/index.ts';

export interface RowSpec {
  prefix: string;
  rate: string;
  connect?: string;
  unit?: number;
  initial?: number;
  increment?: number;
  from?: number;
  included?: number;
  band?: string;
  weight?: number;
  effectiveFrom?: string;
  effectiveTo?: string;
  destination?: string;
}

export function money(text: string) {
  const parsed = parseMicros(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.value;
}

export function row(spec: RowSpec, line: number): RateRow {
  return {
    line,
    prefix: spec.prefix,
    destination: spec.destination ?? '',
    rateMicros: money(spec.rate),
    connectFeeMicros: spec.connect === undefined ? micros(0n) : money(spec.connect),
    rateUnitS: spec.unit ?? 60,
    initialIncrementS: spec.initial ?? 1,
    incrementS: spec.increment ?? 1,
    fromS: spec.from ?? 0,
    includedS: spec.included ?? 0,
    timeBand: spec.band ?? null,
    weight: spec.weight ?? 0,
    effectiveFromMs: spec.effectiveFrom === undefined ? null : Date.parse(spec.effectiveFrom),
    effectiveToMs: spec.effectiveTo === undefined ? null : Date.parse(spec.effectiveTo),
  };
}

const weekdayNumbers: Record<string, number> = {
  Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7,
};

function seconds(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 3600 + (m ?? 0) * 60;
}

/** `band('peak', 'Mon Tue Wed Thu Fri', '08:00', '18:00')`; dates as 'MM-DD'. */
export function band(name: string, days: string, start: string, end: string): TimeBandLine {
  const weekdays = new Set<number>();
  const dates = new Set<string>();
  for (const day of days.split(' ')) {
    if (/^\d\d-\d\d$/.test(day)) dates.add(day);
    else weekdays.add(weekdayNumbers[day]!);
  }
  return { line: 1, band: name, weekdays, dates, startS: seconds(start), endS: seconds(end) };
}

export function deck(
  specs: RowSpec[],
  options: {
    decimals?: number;
    rounding?: RoundingMode;
    zone?: string;
    bands?: TimeBandLine[];
  } = {},
): RateDeck {
  const rowsByPrefix = new Map<string, RateRow[]>();
  specs.forEach((spec, index) => {
    const list = rowsByPrefix.get(spec.prefix) ?? [];
    list.push(row(spec, index + 2));
    rowsByPrefix.set(spec.prefix, list);
  });
  const bands = new Map<string, TimeBandLine[]>();
  for (const line of options.bands ?? []) {
    bands.set(line.band, [...(bands.get(line.band) ?? []), line]);
  }
  return {
    settings: {
      currency: 'USD' as CurrencyCode,
      decimals: options.decimals ?? 4,
      rounding: options.rounding ?? 'half_up',
      zone: options.zone ?? 'UTC',
    },
    rowsByPrefix,
    prefixLengthMax: Math.max(...specs.map((spec) => spec.prefix.length)),
    rowCount: specs.length,
    bands,
  };
}
