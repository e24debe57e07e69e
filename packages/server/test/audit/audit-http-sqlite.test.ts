import { describeAuditApi } from './audit-http-scenarios.ts';

describeAuditApi('sqlite');
