import { describeKillSession } from './kill-session-scenarios.ts';

describeKillSession('sqlite');
