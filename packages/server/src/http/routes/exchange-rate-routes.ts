import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { formatIsoInstant } from '@tollgate/core';
import type { Principal } from '../../auth/api-keys.ts';
import type { ExchangeRateRecord } from '../../storage/shared/exchange-rate-history-sql.ts';
import type { AppServices } from '../app-services.ts';
import { httpLimits } from '../app-services.ts';
import { principalOf } from '../auth-hook.ts';
import { parseInstantOrDayMs } from '../convert.ts';
import { httpProblem, unwrap } from '../http-problem.ts';
import { withProblems } from '../schemas/common-schemas.ts';
import {
  ExchangeRateBody,
  ExchangeRateItem,
  ExchangeRatePage,
  ExchangeRateQuery,
} from '../schemas/exchange-rate-schemas.ts';

const tags = ['exchange-rates'];

/** Rates convert every tree's money: the operator's key alone sets and reads them. */
function requireOperator(principal: Principal): void {
  if (principal.kind !== 'operator') {
    throw httpProblem('forbidden', 'exchange rates are set and listed with the operator key');
  }
}

/** An instant, or a day (`YYYY-MM-DD`, from its start in UTC); the problem names the field. */
function validFromOf(text: string | undefined, nowMs: number): number {
  if (text === undefined) return nowMs;
  const parsed = parseInstantOrDayMs(text, 'start');
  if (!parsed.ok) return unwrap({ ...parsed, message: `valid_from: ${parsed.message}`,
    column: 'valid_from' });
  return parsed.value;
}

function toApiRate(record: ExchangeRateRecord, nowMs: number) {
  return { from: record.fromCurrency, to: record.toCurrency, rate: record.rate,
    valid_from: formatIsoInstant(record.validFromMs),
    valid_until: record.validUntilMs === null ? null : formatIsoInstant(record.validUntilMs),
    in_force: record.validFromMs <= nowMs &&
      (record.validUntilMs === null || nowMs < record.validUntilMs) };
}

/** `EUR:USD:<ms>`: the last row of a page, where the next one starts. */
function cursorOf(text: string | undefined) {
  if (text === undefined) return undefined;
  const match = /^([A-Z]{3}):([A-Z]{3}):(\d{1,15})$/.exec(text);
  if (match === null) throw httpProblem('bad_request', 'after: not a next_after of this list');
  return { fromCurrency: match[1]!, toCurrency: match[2]!, validFromMs: Number(match[3]) };
}

/**
 * Exchange rates (issue 21): a child paying a parent in another currency is converted with the
 * pair's rate in force when the call starts (`core/src/ledger/exchange-rate.ts`). A rate is
 * set from now or a later instant, never earlier: a rate that was in force is history that
 * CDRs were rated with, so it stays as it was; the list shows every rate with when the next
 * took over.
 */
export const exchangeRateRoutes: FastifyPluginAsyncTypebox<{ services: AppServices }> = async (
  app,
  { services },
) => {
  app.post('/v1/exchange-rates', {
    schema: { operationId: 'setExchangeRate', tags,
      summary: 'Set the rate of a currency pair from an instant on (operator key)',
      body: ExchangeRateBody, response: withProblems({ 201: ExchangeRateItem }) },
  }, async (request, reply) => {
    requireOperator(principalOf(request));
    const { body } = request;
    const nowMs = services.clock.nowMs();
    const validFromMs = validFromOf(body.valid_from, nowMs);
    if (validFromMs < nowMs) {
      throw httpProblem('exchange_rate_history', `valid_from ${formatIsoInstant(validFromMs)} ` +
        'is before now: rates in force before now are history; set a rate from now on');
    }
    const saved = unwrap(await services.ledger.setExchangeRate({ fromCurrency: body.from,
      toCurrency: body.to, rate: body.rate, validFromMs }));
    const [stored] = await services.exchangeRateHistory({ fromCurrency: saved.fromCurrency,
      toCurrency: saved.toCurrency, limit: 1, after: { fromCurrency: saved.fromCurrency,
        toCurrency: saved.toCurrency, validFromMs: saved.validFromMs - 1 } });
    const created = toApiRate(stored ?? { ...saved, validUntilMs: null }, nowMs);
    await services.audit.record(request, { action: 'exchange_rate_set',
      subjectId: `${saved.fromCurrency}:${saved.toCurrency}:${saved.validFromMs}`,
      accountId: null, before: null, after: created });
    return reply.code(201).send(created);
  });

  app.get('/v1/exchange-rates', {
    schema: { operationId: 'listExchangeRates', tags,
      summary: 'Every exchange rate set, by pair and instant (operator key)',
      querystring: ExchangeRateQuery, response: withProblems({ 200: ExchangeRatePage }) },
  }, async (request) => {
    requireOperator(principalOf(request));
    const { query } = request;
    const limit = query.limit ?? httpLimits.pageSizeDefault;
    const after = cursorOf(query.after);
    const records = await services.exchangeRateHistory({ limit,
      ...(query.from === undefined ? {} : { fromCurrency: query.from }),
      ...(query.to === undefined ? {} : { toCurrency: query.to }),
      ...(after === undefined ? {} : { after }) });
    const nowMs = services.clock.nowMs();
    const last = records.at(-1);
    return { exchange_rates: records.map((record) => toApiRate(record, nowMs)),
      next_after: records.length === limit && last !== undefined
        ? `${last.fromCurrency}:${last.toCurrency}:${last.validFromMs}` : null };
  });
};
