import { describeRouting } from './routing-scenarios.ts';

describeRouting('sqlite');
