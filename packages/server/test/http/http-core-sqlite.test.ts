import { describeCoreApi } from './http-core-scenarios.ts';

describeCoreApi('sqlite');
