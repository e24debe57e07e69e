import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { rateDeckLimits } from '@tollgate/core';
import type { FastifyRequest } from 'fastify';
import type { Principal } from '../../auth/api-keys.ts';
import type { DeckImportLimits } from '../../decks/deck-catalog.ts';
import type { AppServices, HttpConfig } from '../app-services.ts';
import { httpLimits } from '../app-services.ts';
import { principalOf } from '../auth-hook.ts';
import { toApiDeck, toApiTimeBands } from '../convert.ts';
import { httpProblem, unwrap } from '../http-problem.ts';
import { acceptCsvBodies, csvContentType } from '../reply-csv.ts';
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
 * content-type parsers: CSV (and plain text) only, up to `deckBodyBytesMax` (a tenant's key:
 * `deckTenantBodyBytesMax`), while the rest of the API takes JSON up to `bodyBytesMax`. A deck
 * is validated in full before anything is stored, on the deck thread (`decks/`); the first
 * problem comes back with its line and column. A tenant's deck also has a row bound and
 * counts in its tree's quota (issue 14, finding 7).
 */
export const deckRoutes: FastifyPluginAsyncTypebox<{
  services: AppServices;
  config: HttpConfig;
}> = async (app, { services, config }) => {
  acceptCsvBodies(app);
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

/** The upload bounds of a key: the operator's are the server's own. */
function importLimitsOf(principal: Principal, config: HttpConfig): DeckImportLimits {
  if (principal.kind === 'operator') {
    return { rowsMax: rateDeckLimits.rowsMax, treeDecksMax: null };
  }
  return { rowsMax: config.deckTenantRowsMax, treeDecksMax: config.deckTreeDecksMax };
}

/**
 * A tenant's upload beyond its byte bound is refused by its declared length before the body
 * is read, and by its real size after (a chunked upload declares none); the route's own
 * `bodyLimit` is the operator's, the larger.
 */
function checkTenantBytes(request: FastifyRequest, config: HttpConfig, text: string | null):
  void {
  if (principalOf(request).kind === 'operator') return;
  const limit = config.deckTenantBodyBytesMax;
  const declared = Number(request.headers['content-length'] ?? 0);
  const bytes = text === null ? declared : Buffer.byteLength(text, 'utf8');
  if (bytes > limit) {
    throw httpProblem('body_too_large', `a tenant's upload is at most ${limit} bytes`);
  }
}

/** The root of the tree a deck of `ownerAccountId` counts in; null for the operator's own. */
async function rootOf(services: AppServices, ownerAccountId: string | null) {
  if (ownerAccountId === null) return null;
  const chain = unwrap(await services.ledger.getAccountChain(ownerAccountId));
  return chain.at(-1)?.id ?? null;
}

function registerUploads(app: TypeBoxApp, services: AppServices, config: HttpConfig): void {
  const preParsing = async (request: FastifyRequest) => checkTenantBytes(request, config, null);
  app.post('/v1/time-bands', {
    bodyLimit: config.deckBodyBytesMax, preParsing,
    schema: { operationId: 'uploadTimeBands', tags, summary: 'Upload a time-band file',
      description: 'band,days,start,end; name it in a deck upload with bands_id',
      consumes: csvTypes, querystring: BandsUploadQuery, body: CsvBody,
      response: withProblems({ 201: TimeBands }) },
  }, async (request, reply) => {
    checkTenantBytes(request, config, request.body);
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
    bodyLimit: config.deckBodyBytesMax, preParsing,
    schema: { operationId: 'uploadRateDeck', tags, summary: 'Upload a rate deck',
      description: 'The CSV body is the deck; settings are query parameters. All or nothing. ' +
        'A tenant\'s key is bound by deckTenantBodyBytesMax (413 body_too_large) and ' +
        'deckTenantRowsMax (400 too_many_rows), and its tree by deckTreeDecksMax (403 ' +
        'deck_quota_exceeded); 503 deck_import_busy when the deck thread has ' +
        'deckImportsQueuedMax uploads waiting.',
      consumes: csvTypes, querystring: DeckUploadQuery, body: CsvBody,
      response: withProblems({ 201: RateDeck }) },
  }, async (request, reply) => {
    checkTenantBytes(request, config, request.body);
    const principal = principalOf(request);
    const { name, currency, decimals, rounding, zone, bands_id: bandsId } = request.query;
    const ownerAccountId = await ownerFor(services, principal, request.query.owner_id);
    const bands = bandsId === undefined ? null : await bandsFor(services, principal, bandsId);
    const imported = await services.decks.importDeck({ name, ownerAccountId,
      rootAccountId: await rootOf(services, ownerAccountId),
      settings: { currency, decimals, rounding, zone }, csvText: request.body, bands,
      limits: importLimitsOf(principal, config) });
    if (!imported.ok && imported.code === 'deck_import_busy') reply.header('retry-after', '1');
    const summary = unwrap(imported);
    const memoryBytes = services.decks.memoryBytesOf(summary.id);
    request.log.info({ deck: { id: summary.id, rows: summary.rowCount, memoryBytes,
      decksLoaded: services.decks.cachedCount(),
      memoryBytesLoaded: services.decks.memoryBytesLoaded() } }, 'rate deck loaded');
    reply.code(201);
    const deck = toApiDeck(summary, memoryBytes);
    await services.audit.record(request, { action: 'deck_uploaded', subjectId: summary.id,
      accountId: ownerAccountId, before: null, after: deck });
    return deck;
  });
}

/** The deck's summary when the key may see it; otherwise exactly like a missing deck. */
export async function visibleDeck(services: AppServices, principal: Principal, id: string) {
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
    const page = { rate_decks: found.map((deck) => toApiDeck(deck,
      services.decks.memoryBytesOf(deck.id))),
    next_after: found.length === limit && last !== undefined ? last.id : null };
    // Only the operator sees what every tenant's decks take together.
    return owner !== null ? page : { ...page, decks_loaded: services.decks.cachedCount(),
      memory_bytes_loaded: services.decks.memoryBytesLoaded() };
  });

  app.get('/v1/rate-decks/:id', {
    schema: { operationId: 'getRateDeck', tags, summary: 'A deck\'s settings and size',
      params: DeckIdParams, response: withProblems({ 200: RateDeck }) },
  }, async (request) => {
    const summary = await visibleDeck(services, principalOf(request), request.params.id);
    return toApiDeck(summary, services.decks.memoryBytesOf(summary.id));
  });

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
