import { ledgerLimits } from '@tollgate/core';
import { Type } from 'typebox';
import { AccountIdText, Instant } from '../http/schemas/common-schemas.ts';
import { auditActions, auditSubjectKinds } from './audit-entry.ts';

/** Bounds of `GET /v1/audit`: an entry holds two documents of up to 64 KiB each. */
export const auditPageLimits = {
  pageSizeDefault: 100,
  pageSizeMax: 500,
} as const;

const ActionSchema = Type.Enum(auditActions, { description: 'What was done (a stable code)' });

export const AuditQuery = Type.Object({
  account_id: Type.Optional(Type.String({ minLength: 1,
    maxLength: ledgerLimits.accountIdLengthMax,
    description: 'Entries of this account\'s subtree (default: the key\'s account; the ' +
      'operator key must name one)' })),
  action: Type.Optional(ActionSchema),
  after: Type.Optional(Type.String({ minLength: 1, maxLength: 64,
    description: 'next_after of the previous page' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: auditPageLimits.pageSizeMax,
    default: auditPageLimits.pageSizeDefault })),
}, { additionalProperties: false });

const Actor = Type.Object({
  kind: Type.Union([Type.Literal('operator'), Type.Literal('key'), Type.Literal('upstream')], {
    description: 'operator: the operator key; key: a key of the listed subtree; upstream: a ' +
      'key above the listing key\'s account (shown to the operator key in full)' }),
  key_id: Type.Union([Type.String(), Type.Null()]),
  account_id: Type.Union([AccountIdText, Type.Null()]),
});

const Document = Type.Unknown({ description: 'The subject as the API showed it (JSON), or ' +
  'null: it did not exist, or was not read' });

export const AuditEntryView = Type.Object({
  id: Type.String(),
  at: Instant,
  actor: Actor,
  action: ActionSchema,
  subject: Type.Object({
    kind: Type.Enum(auditSubjectKinds),
    id: Type.String(),
  }),
  account_id: Type.Union([Type.String(), Type.Null()], {
    description: 'The account whose tree the change is in' }),
  before: Document,
  after: Document,
  request_id: Type.String({ description: 'As in the server\'s log lines' }),
});

export const AuditPage = Type.Object({
  entries: Type.Array(AuditEntryView),
  next_after: Type.Union([Type.String(), Type.Null()]),
});
