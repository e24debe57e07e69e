import type { MeteredProtocol } from './metrics.ts';

/** One sample as prom-client's registry prints it. */
interface Sample {
  readonly labels: Record<string, string | number>;
  readonly value: number;
  readonly metricName?: string;
}

/** What prom-client's registry reads from a metric it prints (`Registry.registerMetric`). */
export interface CollectedMetric {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'histogram';
  readonly aggregator: 'sum';
  get(): Promise<{ name: string; help: string; type: string; values: Sample[];
    aggregator: 'sum' }>;
}

/**
 * The requests of one protocol and route: a count per outcome and a latency histogram, kept
 * in plain numbers. `observe` is the whole cost on the request path: a map update on a key
 * that exists after the first request of that outcome, a scan of a dozen bounds, three
 * additions; no label set is built and nothing is allocated (prom-client's own children hash
 * their labels on every observation, about 2.5 us a request on the bench machine).
 */
export class RequestSeries {
  readonly #bounds: readonly number[];
  /** Observations per bucket (not cumulative); the last is +Inf. */
  readonly #buckets: Float64Array;
  readonly #outcomes = new Map<string | number, number>();
  #sumSeconds = 0;
  #count = 0;

  readonly protocol: MeteredProtocol;
  readonly route: string;

  constructor(protocol: MeteredProtocol, route: string, bounds: readonly number[]) {
    this.protocol = protocol;
    this.route = route;
    this.#bounds = bounds;
    this.#buckets = new Float64Array(bounds.length + 1);
  }

  observe(outcome: string | number, seconds: number): void {
    this.#outcomes.set(outcome, (this.#outcomes.get(outcome) ?? 0) + 1);
    const bounds = this.#bounds;
    let index = 0;
    while (index < bounds.length && seconds > bounds[index]!) index += 1;
    this.#buckets[index] = this.#buckets[index]! + 1;
    this.#sumSeconds += seconds;
    this.#count += 1;
  }

  /** Counter samples, one per outcome seen. */
  outcomeSamples(): Sample[] {
    return [...this.#outcomes].map(([outcome, count]) => ({ value: count,
      labels: { protocol: this.protocol, route: this.route, outcome: String(outcome) } }));
  }

  /** Histogram samples: cumulative buckets, sum and count; none before the first request. */
  histogramSamples(name: string): Sample[] {
    if (this.#count === 0) return [];
    const labels = { protocol: this.protocol, route: this.route };
    const samples: Sample[] = [];
    let cumulative = 0;
    for (let index = 0; index <= this.#bounds.length; index += 1) {
      cumulative += this.#buckets[index]!;
      const le = index < this.#bounds.length ? this.#bounds[index]! : '+Inf';
      samples.push({ metricName: `${name}_bucket`, labels: { ...labels, le }, value: cumulative });
    }
    samples.push({ metricName: `${name}_sum`, labels, value: this.#sumSeconds });
    samples.push({ metricName: `${name}_count`, labels, value: this.#count });
    return samples;
  }
}

/** Every RequestSeries of a process, printed as one counter and one histogram. */
export class RequestTable {
  readonly #series: RequestSeries[] = [];
  readonly #bounds: readonly number[];

  constructor(bounds: readonly number[]) {
    this.#bounds = bounds;
  }

  /** Made once per route or protocol step, when it is registered. */
  add(protocol: MeteredProtocol, route: string): RequestSeries {
    const series = new RequestSeries(protocol, route, this.#bounds);
    this.#series.push(series);
    return series;
  }

  counter(name: string, help: string): CollectedMetric {
    return collected(name, help, 'counter',
      () => this.#series.flatMap((series) => series.outcomeSamples()));
  }

  histogram(name: string, help: string): CollectedMetric {
    return collected(name, help, 'histogram',
      () => this.#series.flatMap((series) => series.histogramSamples(name)));
  }
}

function collected(name: string, help: string, type: 'counter' | 'histogram',
  values: () => Sample[]): CollectedMetric {
  return { name, help, type, aggregator: 'sum',
    get: async () => ({ name, help, type, values: values(), aggregator: 'sum' }) };
}
