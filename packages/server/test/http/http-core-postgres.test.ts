import { describeCoreApi } from './http-core-scenarios.ts';

// PostgreSQL at DATABASE_URL_TEST (a schema of its own); fails, never skips, when unreachable.
describeCoreApi('postgres');
