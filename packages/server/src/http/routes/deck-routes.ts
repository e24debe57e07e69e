import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Principal } from '../../auth/api-keys.ts';
import type { AppServices, HttpConfig } from '../app-services.ts';
import { httpLimits } from '../app-services.ts';
import { principalOf } from '../auth-hook.ts';
import { toApiDeck, toApiTimeBands } from '../convert.ts';
import { httpProblem, unwrap } from '../http-problem.ts';
import { csvContentType } from '../reply-csv.ts';
import { withProblems } from '../schemas/common-schemas.ts';
import {
  BandsUploadQuery,
  CsvBody,
  DeckIdParams,
  DeckListQuery,
  DeckUploadQuery,
  RateDeck,
  RateDeckPage,
  TimeBands,
} from '../schemas/deck-schemas.ts';
import type { TypeBoxApp } from './route-types.ts';

const tags = ['rate decks'];
const csvTypes = ['text/csv'];

/**
 * Rate decks and time bands, uploaded as CSV (rating.md formats). This plugin has its own
 * content-type parsers: CSV (and plain text) only, up to `deckBodyBytesMax`, while the rest
 * of the API takes JSON up to `bodyBytesMax`. A deck is validated in full before anything is
 * stored; the first problem comes back with its line and column.
 */
export const deckRoutes: FastifyPluginAsyncTypebox<{
  services: AppServices;
  config: HttpConfig;
}> = async (app, { services, config }) => {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string' },
    (_request, body, done) => done(null, body));
  registerUploads(app, services, config);
  registerReads(app, services);
};

/** Uploads belong to the key's account, or to an account below it that it names. */
async function ownerFor(
  services: AppServices,
  principal: Principal,
  ownerId: string | undefined,
): Promise<string | null> {
  if (ownerId === undefined) return services.access.ownerOf(principal);
  unwrap(await services.access.account(principal, ownerId, 'subtree'));
  return ownerId;
}

async function bandsFor(services: AppServices, principal: Principal, bandsId: string) {
  const bands = await services.deckStore.findTimeBands(bandsId);
  if (bands === null) throw httpProblem('time_bands_not_found', `no time bands ${bandsId}`);
  if (!(await services.access.ownsUpload(principal, bands.ownerAccountId))) {
    throw httpProblem('time_bands_not_found', `no time bands ${bandsId}`);
  }
  return bands;
}

function registerUploads(app: TypeBoxApp, services: AppServices, config: HttpConfig): void {
  app.post('/v1/time-bands', {
    bodyLimit: config.deckBodyBytesMax,
    schema: { operationId: 'uploadTimeBands', tags, summary: 'Upload a time-band file',
      description: 'band,days,start,end; name it in a deck upload with bands_id',
      consumes: csvTypes, querystring: BandsUploadQuery, body: CsvBody,
      response: withProblems({ 201: TimeBands }) },
  }, async (request, reply) => {
    const ownerAccountId = await ownerFor(services, principalOf(request),
      request.query.owner_id);
    const bands = unwrap(await services.decks.importTimeBands({ name: request.query.name,
      ownerAccountId, csvText: request.body }));
    reply.code(201);
    await services.audit.record(request, { action: 'time_bands_uploaded', subjectId: bands.id,
      accountId: ownerAccountId, before: null, after: toApiTimeBands(bands) });
    return toApiTimeBands(bands);
  });

  app.post('/v1/rate-decks', {
    bodyLimit: config.deckBodyBytesMax,
    schema: { operationId: 'uploadRateDeck', tags, summary: 'Upload a rate deck',
      description: 'The CSV body is the deck; settings are query parameters. All or nothing.',
      consumes: csvTypes, querystring: DeckUploadQuery, body: CsvBody,
      response: withProblems({ 201: RateDeck }) },
  }, async (request, reply) => {
    const principal = principalOf(request);
    const { name, currency, decimals, rounding, zone, bands_id: bandsId } = request.query;
    const ownerAccountId = await ownerFor(services, principal, request.query.owner_id);
    const bands = bandsId === undefined ? null : await bandsFor(services, principal, bandsId);
    const summary = unwrap(await services.decks.importDeck({ name, ownerAccountId,
      settings: { currency, decimals, rounding, zone }, csvText: request.body, bands }));
    reply.code(201);
    await services.audit.record(request, { action: 'deck_uploaded', subjectId: summary.id,
      accountId: ownerAccountId, before: null, after: toApiDeck(summary) });
    return toApiDeck(summary);
  });
}

async function visibleDeck(services: AppServices, principal: Principal, id: string) {
  const summary = await services.deckStore.findDeckSummary(id);
  if (summary === null) throw httpProblem('rate_deck_not_found', `no rate deck ${id}`);
  if (!(await services.access.deckVisible(principal, summary))) {
    throw httpProblem('rate_deck_not_found', `no rate deck ${id}`);
  }
  return summary;
}

function registerReads(app: TypeBoxApp, services: AppServices): void {
  app.get('/v1/rate-decks', {
    schema: { operationId: 'listRateDecks', tags,
      summary: 'Decks owned by the key\'s account (all of them for the operator)',
      querystring: DeckListQuery, response: withProblems({ 200: RateDeckPage }) },
  }, async (request) => {
    const limit = request.query.limit ?? httpLimits.pageSizeDefault;
    const owner = services.access.ownerOf(principalOf(request));
    const found = await services.deckStore.listDecks({ limit,
      ...(owner === null ? {} : { ownerAccountId: owner }),
      ...(request.query.after === undefined ? {} : { afterId: request.query.after }) });
    const last = found.at(-1);
    return { rate_decks: found.map(toApiDeck),
      next_after: found.length === limit && last !== undefined ? last.id : null };
  });

  app.get('/v1/rate-decks/:id', {
    schema: { operationId: 'getRateDeck', tags, summary: 'A deck\'s settings and size',
      params: DeckIdParams, response: withProblems({ 200: RateDeck }) },
  }, async (request) => toApiDeck(await visibleDeck(services, principalOf(request),
    request.params.id)));

  app.get('/v1/rate-decks/:id/csv', {
    schema: { operationId: 'downloadRateDeck', tags, summary: 'The deck as it was uploaded',
      produces: csvTypes, params: DeckIdParams, response: withProblems({ 200: CsvBody }) },
  }, async (request, reply) => {
    await visibleDeck(services, principalOf(request), request.params.id);
    const source = await services.deckStore.findDeck(request.params.id);
    if (source === null) throw httpProblem('rate_deck_not_found', 'the deck disappeared');
    return reply.type(csvContentType).send(source.csvText);
  });
}
