import { describeKillSession } from './kill-session-scenarios.ts';

// Fails (never skips) when PostgreSQL is unreachable, like every PostgreSQL test here.
describeKillSession('postgres');
