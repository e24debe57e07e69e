/**
 * The charging benchmark's fraud mode: every rule on for every reseller's customers (inherited
 * from the reseller), with thresholds ordinary benchmark traffic never reaches, and a risk list,
 * so the run measures the cost of evaluating them on each request, not of suspensions.
 */
export async function armBenchFraudRules(options: { port: number; key: string;
  resellerIds: readonly string[] }): Promise<void> {
  const base = `http://127.0.0.1:${options.port}`;
  const headers = { 'authorization': `Bearer ${options.key}`,
    'content-type': 'application/json' };
  const put = async (path: string, body: unknown) => {
    const response = await fetch(`${base}${path}`, { method: 'PUT', headers,
      body: JSON.stringify(body) });
    if (response.status !== 200) {
      throw new Error(`bench fraud setup ${path}: ${response.status} ${await response.text()}`);
    }
  };
  await put('/v1/fraud/risk-lists/bench-irsf', { name: 'bench IRSF',
    prefixes: ['88213', '88216', '8810', '8817', '979'], action: 'suspend', calls_threshold: 3,
    window_minutes: 10 });
  const config = {
    spend_velocity: { ten_minutes_max: '100000', hour_max: '500000', day_max: '1000000',
      action: 'suspend' },
    call_velocity: { attempts_per_minute_max: 100_000, action: 'alert' },
    concurrent_calls: { calls_max: 10_000, action: 'alert' },
    risk_lists: true,
    destination_anomaly: { history_days: 30, window_minutes: 60,
      new_spend_share_percent_min: 90, new_spend_min: '100000', granularity: 'country',
      prefix_digits: 3, learning_days: 7, action: 'alert' },
    short_call_burst: { short_call_seconds_max: 6, window_minutes: 10,
      short_calls_min: 1_000_000, share_percent_min: 90, action: 'alert' },
    cost_per_minute: { ceiling: '1000', used_seconds_min: 30, action: 'alert' },
    unusual_hours: { learning_days: 7, action: 'alert' },
    credit_limit: { thresholds_percent: [80, 95] },
  };
  for (const id of options.resellerIds) await put(`/v1/fraud/configs/${id}`, config);
}
