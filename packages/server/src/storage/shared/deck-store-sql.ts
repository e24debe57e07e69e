import { assert, type CurrencyCode, type RoundingMode } from '@tollgate/core';
import type {
  DeckListQuery,
  DeckStore,
  DeckSummary,
  NewDeck,
  TimeBandsSource,
} from '../../decks/deck-store.ts';
import type { WithRunner } from './api-store-sql.ts';

/**
 * The deck adapter, written once over `SqlRunner` for SQLite and PostgreSQL. A deck's CSV is
 * stored in parts (`rate_deck_parts`, migration 11): better-sqlite3 is synchronous, and one
 * INSERT of a 44 MB text held the event loop for about 340 ms; a 1 MiB part takes a few.
 */
export const deckStoreLimits = {
  /** Characters of CSV per stored part (at most 4 MiB of UTF-8). */
  partCharsMax: 1_048_576,
  /** Parts of one deck: 512 MiB, the largest upload the configuration allows, is 512 parts. */
  partsMax: 1_024,
  /**
   * Parts without a deck younger than this may belong to an upload still being written (by
   * another node on PostgreSQL): only older ones are removed. An upload lasts minutes at most.
   */
  unfinishedPartAgeMsMin: 3_600_000,
  /** The quota of a tree without one: no configuration reaches it (an int32 for both drivers). */
  treeDecksUnbounded: 2 ** 31 - 1,
} as const;

type DbNumber = number | bigint;

interface DeckRow {
  id: string;
  name: string;
  owner_account_id: string | null;
  currency: string;
  decimals: DbNumber;
  rounding: string;
  zone: string;
  row_count: DbNumber;
  bands_id: string | null;
  created_at_ms: DbNumber;
  part_count?: DbNumber;
  bands_text?: string | null;
}

const summaryColumns = `id, name, owner_account_id, currency, decimals, rounding, zone, row_count,
  bands_id, created_at_ms`;

/**
 * The deck row goes in last, and only while its tree is below its quota: one statement, so
 * that on SQLite (one writer) two uploads cannot both take the last place. On PostgreSQL the
 * statement runs in a transaction holding its tree's advisory lock (`DeckRowInsert`), so the
 * count it reads already holds every deck a racing upload committed.
 * The casts give PostgreSQL the parameters' types, which a SELECT list does not.
 */
const insertDeckIfRoom = `INSERT INTO rate_decks (${summaryColumns}, csv_text, bands_text,
    part_count, root_account_id)
  SELECT CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS INTEGER),
    CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS INTEGER), CAST(? AS TEXT), CAST(? AS BIGINT), '',
    CAST(? AS TEXT), CAST(? AS INTEGER), CAST(? AS TEXT)
  WHERE (SELECT COUNT(*) FROM rate_decks WHERE root_account_id = CAST(? AS TEXT))
    < CAST(? AS BIGINT)
  RETURNING id`;

const deckSql = {
  insertPart: `INSERT INTO rate_deck_parts (deck_id, part, csv_text, created_at_ms)
    VALUES (?, ?, ?, ?)`,
  deletePart: 'DELETE FROM rate_deck_parts WHERE deck_id = ? AND part = ?',
  findPart: 'SELECT csv_text FROM rate_deck_parts WHERE deck_id = ? AND part = ?',
  removeUnfinished: `DELETE FROM rate_deck_parts
    WHERE deck_id NOT IN (SELECT id FROM rate_decks) AND created_at_ms < ? RETURNING deck_id`,
  countTree: 'SELECT COUNT(*) AS count FROM rate_decks WHERE root_account_id = ?',
  find: `SELECT ${summaryColumns}, part_count, bands_text FROM rate_decks WHERE id = ?`,
  findSummary: `SELECT ${summaryColumns} FROM rate_decks WHERE id = ?`,
  listAll: `SELECT ${summaryColumns} FROM rate_decks WHERE id > ? ORDER BY id LIMIT ?`,
  listOwned: `SELECT ${summaryColumns} FROM rate_decks WHERE owner_account_id = ? AND id > ?
    ORDER BY id LIMIT ?`,
  insertBands: `INSERT INTO time_bands (id, name, owner_account_id, band_count, csv_text,
    created_at_ms) VALUES (?, ?, ?, ?, ?, ?)`,
  findBands: 'SELECT * FROM time_bands WHERE id = ?',
} as const;

function fromDbDeckSummary(row: DeckRow): DeckSummary {
  return {
    id: row.id,
    name: row.name,
    ownerAccountId: row.owner_account_id,
    settings: { currency: row.currency as CurrencyCode, decimals: Number(row.decimals),
      rounding: row.rounding as RoundingMode, zone: row.zone },
    rowCount: Number(row.row_count),
    bandsId: row.bands_id,
    createdAtMs: Number(row.created_at_ms),
  };
}

function toDbDeck(deck: NewDeck, partCount: number, treeDecksMax: number | null): unknown[] {
  const { settings } = deck;
  return [deck.id, deck.name, deck.ownerAccountId, settings.currency, settings.decimals,
    settings.rounding, settings.zone, deck.rowCount, deck.bandsId, deck.createdAtMs,
    deck.bandsText, partCount, deck.rootAccountId, deck.rootAccountId,
    treeDecksMax ?? deckStoreLimits.treeDecksUnbounded];
}

interface BandsRow {
  id: string;
  name: string;
  owner_account_id: string | null;
  band_count: DbNumber;
  csv_text: string;
  created_at_ms: DbNumber;
}

/** Each part is its own call (its own transaction), so other work runs between them. */
async function writeParts(withRunner: WithRunner, deck: NewDeck): Promise<number> {
  const { id: deckId, csvText, createdAtMs } = deck;
  const partCount = Math.max(1, Math.ceil(csvText.length / deckStoreLimits.partCharsMax));
  assert(partCount <= deckStoreLimits.partsMax, 'an upload is within the parts bound');
  for (let part = 0; part < partCount; part += 1) {
    const start = part * deckStoreLimits.partCharsMax;
    const text = csvText.slice(start, start + deckStoreLimits.partCharsMax);
    await withRunner((runner) => runner.run(deckSql.insertPart, [deckId, part, text,
      createdAtMs]));
  }
  return partCount;
}

async function removeParts(withRunner: WithRunner, deckId: string, partCount: number):
  Promise<void> {
  for (let part = 0; part < partCount; part += 1) {
    await withRunner((runner) => runner.run(deckSql.deletePart, [deckId, part]));
  }
}

async function readParts(withRunner: WithRunner, deckId: string, partCount: number):
  Promise<string> {
  assert(partCount >= 1 && partCount <= deckStoreLimits.partsMax, 'a stored deck has parts');
  const texts: string[] = [];
  for (let part = 0; part < partCount; part += 1) {
    const [row] = await withRunner((runner) => runner.all<{ csv_text: string }>(
      deckSql.findPart, [deckId, part]), { readOnly: true });
    assert(row !== undefined, 'every part of a stored deck is there');
    texts.push(row.csv_text);
  }
  return texts.join('');
}

/**
 * Runs the quota-checked insert of a deck row. The default runs it as one statement; a
 * dialect whose statements may interleave (PostgreSQL) serializes the uploads of one tree.
 */
export type DeckRowInsert = (sql: string, params: readonly unknown[],
  rootAccountId: string | null) => Promise<readonly unknown[]>;

export function deckStoreOver(withRunner: WithRunner, insertDeckRow?: DeckRowInsert): DeckStore {
  const insertRow: DeckRowInsert = insertDeckRow ??
    ((sql, params) => withRunner((runner) => runner.all(sql, params)));
  return {
    saveDeck: async (deck, quota) => {
      const partCount = await writeParts(withRunner, deck);
      try {
        const inserted = await insertRow(insertDeckIfRoom,
          toDbDeck(deck, partCount, quota.treeDecksMax), deck.rootAccountId);
        if (inserted.length === 1) return 'saved';
      } catch (error) {
        await removeParts(withRunner, deck.id, partCount);
        throw error;
      }
      await removeParts(withRunner, deck.id, partCount);
      return 'deck_quota_exceeded';
    },
    countTreeDecks: (rootAccountId) => withRunner(async (runner) => {
      const [row] = await runner.all<{ count: DbNumber }>(deckSql.countTree, [rootAccountId]);
      return Number(row?.count ?? 0);
    }, { readOnly: true }),
    removeUnfinishedParts: (nowMs) => withRunner(async (runner) =>
      (await runner.all(deckSql.removeUnfinished,
        [nowMs - deckStoreLimits.unfinishedPartAgeMsMin])).length),
    findDeck: async (id) => {
      const [row] = await withRunner((runner) => runner.all<DeckRow>(deckSql.find, [id]),
        { readOnly: true });
      if (row === undefined) return null;
      const csvText = await readParts(withRunner, id, Number(row.part_count ?? 0));
      return { ...fromDbDeckSummary(row), csvText, bandsText: row.bands_text ?? null };
    },
    findDeckSummary: (id) => withRunner(async (runner) => {
      const [row] = await runner.all<DeckRow>(deckSql.findSummary, [id]);
      return row === undefined ? null : fromDbDeckSummary(row);
    }),
    listDecks: (query: DeckListQuery) => withRunner(async (runner) => {
      const after = query.afterId ?? '';
      const rows = query.ownerAccountId === undefined
        ? await runner.all<DeckRow>(deckSql.listAll, [after, query.limit])
        : await runner.all<DeckRow>(deckSql.listOwned, [query.ownerAccountId, after,
          query.limit]);
      return rows.map(fromDbDeckSummary);
    }),
    saveTimeBands: (source: TimeBandsSource) => withRunner((runner) =>
      runner.run(deckSql.insertBands, [source.id, source.name, source.ownerAccountId,
        source.bandCount, source.csvText, source.createdAtMs])),
    findTimeBands: (id) => withRunner(async (runner) => {
      const [row] = await runner.all<BandsRow>(deckSql.findBands, [id]);
      return row === undefined ? null : { id: row.id, name: row.name,
        ownerAccountId: row.owner_account_id, bandCount: Number(row.band_count),
        csvText: row.csv_text, createdAtMs: Number(row.created_at_ms) };
    }),
  };
}
