import type { Principal } from '../auth/api-keys.ts';
import type { AppServices } from '../http/app-services.ts';
import { httpProblem, unwrap } from '../http/http-problem.ts';

/**
 * Revenue assurance shows what every level pays and what carriers cost: the operator's
 * business. The operator key (naming the subtree) and a root account's keys (within their
 * tree) may run it; any other key is refused, as it may never see its suppliers' costs.
 */
export async function assuranceScope(services: AppServices, principal: Principal,
  accountId: string | undefined): Promise<string> {
  // Reach first: an account out of reach answers as a missing one, whoever asks.
  const scope = unwrap(await services.access.listingScope(principal, accountId));
  if (principal.kind === 'account' && await services.access.rootOf(principal) !==
    principal.accountId) {
    throw httpProblem('forbidden', 'only the operator and root accounts see these figures');
  }
  return scope;
}
