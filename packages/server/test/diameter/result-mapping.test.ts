import { describe, expect, it } from 'vitest';
import { chargingRefusalCodes, chargingRequestCodes, fundsCodes } from '@tollgate/core';
import {
  refusalResultCodes,
  requestProblemAnswers,
} from '../../src/diameter/result-mapping.ts';

// The tables fall back to safe answers for codes added by other features, so the build stays
// green while they are written; this test is what insists each code is mapped on purpose.
describe('charging codes as Diameter result codes', () => {
  it('every refusal the core can answer has a result code', () => {
    const unmapped = [...chargingRefusalCodes, ...fundsCodes]
      .filter((code) => !(code in refusalResultCodes));
    expect(unmapped).toEqual([]);
  });
  it('every request problem the core can return has an answer', () => {
    const unmapped = chargingRequestCodes.filter((code) => !(code in requestProblemAnswers));
    expect(unmapped).toEqual([]);
  });
  it('lack of money is 4012, unknown destination 5031 (what Kamailio turns into 402/500)', () => {
    expect(refusalResultCodes.insufficient_funds).toBe(4012);
    expect(refusalResultCodes.no_rate).toBe(5031);
    expect(requestProblemAnswers.account_not_found.resultCode).toBe(5030);
  });
});
