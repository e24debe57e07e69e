import { assert } from '../kernel/assert.ts';
import { decodeLedgerJson, encodeLedgerJson } from '../ledger/idempotency.ts';
import { fundsCodes } from '../ledger/ledger-problem.ts';
import {
  chargingRefusalCodes,
  type EventAnswer,
  type GrantAnswer,
  type KillAnswer,
  type RefusalAnswer,
  type TerminateAnswer,
} from './charging-types.ts';

/**
 * The answer a session keeps for its last request number (`last_answer_json`), replayed to a
 * retransmission. Its `status` says which kind it is; a request of another kind that meets it
 * must branch on that status, never read it as its own kind.
 */
export type StoredAnswer =
  | GrantAnswer
  | RefusalAnswer
  | TerminateAnswer
  | KillAnswer
  | EventAnswer;

/** The kinds of stored answer; every refusal code is one kind, `refused`. */
type StoredKind = 'granted' | 'refused' | 'terminated' | 'killed' | 'charged';

type FieldType = 'string' | 'number' | 'boolean' | 'bigint' | 'string_or_null';

const settlementFields = { sessionId: 'string', requestNumber: 'number', cdrId: 'string',
  usedSeconds: 'number', billedSeconds: 'number', costMicros: 'bigint',
  currency: 'string' } as const;

/** The required fields of each kind; optional ones (route, carrier) are not checked. */
const requiredFields = {
  granted: { sessionId: 'string', requestNumber: 'number', grantedSeconds: 'number',
    final: 'boolean', hangupAtMs: 'number', usedSeconds: 'number', costMicros: 'bigint',
    currency: 'string' },
  refused: { sessionId: 'string', requestNumber: 'number', accountId: 'string_or_null',
    message: 'string' },
  terminated: settlementFields,
  killed: settlementFields,
  charged: { eventId: 'string', cdrId: 'string', billedSeconds: 'number',
    costMicros: 'bigint', currency: 'string' },
} as const satisfies Record<StoredKind, Record<string, FieldType>>;

const refusalStatuses: ReadonlySet<string> = new Set([...chargingRefusalCodes, ...fundsCodes]);

function kindOf(status: unknown): StoredKind | null {
  if (typeof status !== 'string') return null;
  if (refusalStatuses.has(status)) return 'refused';
  return status === 'granted' || status === 'terminated' || status === 'killed' ||
    status === 'charged' ? status : null;
}

/** True for a stored refusal (its status is the refusal's code). */
export function isRefusal(answer: StoredAnswer): answer is RefusalAnswer {
  return refusalStatuses.has(answer.status);
}

function hasType(value: unknown, type: FieldType): boolean {
  if (type === 'string_or_null') return value === null || typeof value === 'string';
  return typeof value === type;
}

/** Answers are stored as JSON with bigints tagged, and replayed exactly. */
export function encodeStoredAnswer(answer: StoredAnswer): string {
  return encodeLedgerJson(answer);
}

/**
 * Reads a stored answer back and checks it is one of the kinds a session stores, with the
 * fields of that kind. Rows written before kills had their own kind decode too: they are plain
 * terminate answers. Anything else is corrupt storage, which is a bug, not a request's fault.
 */
export function decodeStoredAnswer(json: string): StoredAnswer {
  const value = decodeLedgerJson(json);
  assert(typeof value === 'object' && value !== null && !Array.isArray(value),
    'a stored answer is a JSON object');
  const record = value as Record<string, unknown>;
  const kind = kindOf(record['status']);
  assert(kind !== null, `a stored answer has a known status, not ${String(record['status'])}`);
  for (const [field, type] of Object.entries(requiredFields[kind])) {
    assert(hasType(record[field], type), `a stored ${kind} answer has ${field} as ${type}`);
  }
  return value as StoredAnswer;
}
