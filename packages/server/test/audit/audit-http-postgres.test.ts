import { describeAuditApi } from './audit-http-scenarios.ts';

// PostgreSQL at DATABASE_URL_TEST (a schema of its own); fails, never skips, when unreachable.
describeAuditApi('postgres');
