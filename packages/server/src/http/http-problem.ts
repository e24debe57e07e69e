import type { Problem, RefusalAnswer, Result } from '@tollgate/core';
import {
  toApiProblem,
  toApiRefusal,
  type ApiProblem,
  type DomainProblemDetails,
} from './convert.ts';
import { httpStatusOf, type ApiCode } from './error-mapping.ts';

/**
 * A problem on its way out of a route. Routes throw it, the one error handler of the app
 * answers it with the status of its code (error-mapping.ts); the domain never throws for an
 * expected outcome, only this edge does, so handlers read as straight lines.
 */
export class HttpProblem extends Error {
  override readonly name = 'HttpProblem';
  readonly statusCode: number;
  readonly body: ApiProblem;

  constructor(body: ApiProblem & { readonly code: ApiCode }) {
    super(body.message);
    this.statusCode = httpStatusOf(body.code);
    this.body = body;
  }
}

export type DomainProblem = Problem<ApiCode> & DomainProblemDetails;

export function httpProblem(code: ApiCode, message: string): HttpProblem {
  return new HttpProblem({ code, message });
}

export function problemOf(found: DomainProblem): HttpProblem {
  return new HttpProblem({ ...toApiProblem(found), code: found.code });
}

/** A refused call: its HTTP status is its code's, its body says `status` and `code`. */
export function refusalOf(
  answer: RefusalAnswer,
  binding: 'account' | 'upstream' | null = null,
): HttpProblem {
  return new HttpProblem({ ...toApiRefusal(answer, binding), code: answer.status });
}

/** The value of a result, or the problem thrown as an HTTP answer. */
export function unwrap<T>(result: { ok: true; value: T } | DomainProblem): T {
  if (!result.ok) throw problemOf(result);
  return result.value;
}

export type ApiResult<T> = Result<T, ApiCode>;
