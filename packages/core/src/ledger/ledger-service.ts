import type { Account } from './account.ts';
import {
  createAccount,
  getAccount,
  getAccountChain,
  listChildren,
  type AccountOutcome,
  type AccountView,
  type ChildrenPage,
  type CreateAccountInput,
} from './account-use-cases.ts';
import { postCharge, refund, type PostChargeInput, type RefundInput } from './charge-transfers.ts';
import {
  commitReservation,
  type CommitOutcome,
  type CommitReservationInput,
} from './commit-reservation.ts';
import type { ExchangeRate } from './exchange-rate.ts';
import {
  getExchangeRate,
  setExchangeRate,
  type ExchangeRateInput,
  type RateInForce,
} from './exchange-rate-use-cases.ts';
import type { LedgerResult } from './ledger-problem.ts';
import type { LedgerDeps } from './ledger-work.ts';
import {
  adjust,
  recordPayment,
  topup,
  type TransferOutcome,
  type WorldTransferInput,
} from './post-transfers.ts';
import {
  expireReservations,
  releaseReservation,
  type ExpireOutcome,
  type ReleaseReservationInput,
} from './release-reservation.ts';
import { reserveChain, type ReservationOutcome, type ReserveChainInput } from './reserve-chain.ts';
import { updateAccount, type UpdateAccountInput } from './update-account.ts';
import { verifyLedger } from './verify-ledger.ts';
import type { VerifyReport } from './verify.ts';

/** The ledger's use cases, bound to one store and one clock. */
export interface LedgerService {
  createAccount(input: CreateAccountInput): Promise<LedgerResult<AccountOutcome>>;
  getAccount(accountId: string): Promise<LedgerResult<AccountView>>;
  getAccountChain(accountId: string): Promise<LedgerResult<readonly Account[]>>;
  listChildren(query: { parentId: string; afterId?: string; limit?: number }):
    Promise<LedgerResult<ChildrenPage>>;
  updateAccount(input: UpdateAccountInput): Promise<LedgerResult<AccountOutcome>>;
  topup(input: WorldTransferInput): Promise<LedgerResult<TransferOutcome>>;
  recordPayment(input: WorldTransferInput): Promise<LedgerResult<TransferOutcome>>;
  adjust(input: WorldTransferInput): Promise<LedgerResult<TransferOutcome>>;
  postCharge(input: PostChargeInput): Promise<LedgerResult<TransferOutcome>>;
  refund(input: RefundInput): Promise<LedgerResult<TransferOutcome>>;
  reserveChain(input: ReserveChainInput): Promise<LedgerResult<ReservationOutcome>>;
  commitReservation(input: CommitReservationInput): Promise<LedgerResult<CommitOutcome>>;
  releaseReservation(input: ReleaseReservationInput): Promise<LedgerResult<ReservationOutcome>>;
  expireReservations(options?: { limit?: number }): Promise<LedgerResult<ExpireOutcome>>;
  verifyLedger(): Promise<LedgerResult<VerifyReport>>;
  setExchangeRate(input: ExchangeRateInput): Promise<LedgerResult<ExchangeRate>>;
  getExchangeRate(query: { fromCurrency: string; toCurrency: string; atMs: number }):
    Promise<LedgerResult<RateInForce>>;
}

export function createLedgerService(deps: LedgerDeps): LedgerService {
  return {
    createAccount: (input) => createAccount(deps, input),
    getAccount: (accountId) => getAccount(deps, accountId),
    getAccountChain: (accountId) => getAccountChain(deps, accountId),
    listChildren: (query) => listChildren(deps, query),
    updateAccount: (input) => updateAccount(deps, input),
    topup: (input) => topup(deps, input),
    recordPayment: (input) => recordPayment(deps, input),
    adjust: (input) => adjust(deps, input),
    postCharge: (input) => postCharge(deps, input),
    refund: (input) => refund(deps, input),
    reserveChain: (input) => reserveChain(deps, input),
    commitReservation: (input) => commitReservation(deps, input),
    releaseReservation: (input) => releaseReservation(deps, input),
    expireReservations: (options) => expireReservations(deps, options),
    verifyLedger: () => verifyLedger(deps),
    setExchangeRate: (input) => setExchangeRate(deps, input),
    getExchangeRate: (query) => getExchangeRate(deps, query),
  };
}

