import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { parseRateDeckImage, rateDeckImageBuffers } from '@tollgate/core';
import type { DeckParseReply, DeckParseRequest } from './deck-import-thread.ts';

/**
 * The thread that parses rate decks: a million-row CSV takes seconds to parse, validate and
 * index, which on the event loop would stall every tenant's calls. It answers one request at
 * a time with the deck's image (`deck-image.ts` in core), whose buffers are moved to the
 * event loop rather than copied, or with the import's first problem.
 */
/**
 * The thread's nice value (Linux: 0 is the default, 19 the lowest priority). On a machine of
 * two cores a parse that burns one competes with the event loop for the other; niced, it takes
 * what the event loop leaves, so calls keep their latency and the upload takes longer.
 */
const deckThreadNiceness = 10;

/** Linux sets priorities per thread: `/proc/thread-self` names this thread's id. */
function lowerThreadPriority(): void {
  try {
    const threadId = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isSafeInteger(threadId) && threadId > 0) {
      setPriority(threadId, deckThreadNiceness);
    }
  } catch {
    // Not Linux, or not allowed: the thread keeps the process's priority, and works the same.
  }
}

lowerThreadPriority();

parentPort?.on('message', (request: DeckParseRequest) => {
  let reply: DeckParseReply;
  let transfer: ArrayBuffer[] = [];
  try {
    const parsed = parseRateDeckImage(request.csvText, { settings: request.settings,
      bands: request.bands ?? undefined, rowsMax: request.rowsMax });
    if (parsed.ok) transfer = rateDeckImageBuffers(parsed.value);
    reply = { id: request.id, outcome: parsed };
  } catch (error) {
    // An assertion or a bug: the event loop answers it as an internal error.
    reply = { id: request.id, outcome: { ok: false, code: 'crashed',
      message: error instanceof Error ? error.stack ?? error.message : String(error) } };
  }
  parentPort?.postMessage(reply, transfer);
});
