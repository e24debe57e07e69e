/** Anything that runs work in one all-or-nothing transaction: every store port of the core. */
export interface TransactionRunner<Tx> {
  transaction<R>(work: (tx: Tx) => Promise<R>, options?: { readonly readOnly?: boolean }):
    Promise<R>;
}

/** Carries a failed result out of a transaction, so that the store rolls it back. */
class ResultRollback extends Error {
  override readonly name = 'ResultRollback';
  readonly result: unknown;

  constructor(result: unknown) {
    super('a use case returned a problem: rolled back');
    this.result = result;
  }
}

/**
 * Runs `work` in one store transaction. A returned failure (`ok: false`) rolls the transaction
 * back and is returned as it is, so a refused request writes nothing, whatever it wrote before
 * finding the problem. Thrown errors propagate after the rollback.
 */
export async function inRollbackTransaction<Tx, R extends { readonly ok: boolean }>(
  store: TransactionRunner<Tx>,
  work: (tx: Tx) => Promise<R>,
  options: { readonly readOnly?: boolean } = {},
): Promise<R> {
  try {
    return await store.transaction(async (tx) => {
      const result = await work(tx);
      if (!result.ok) throw new ResultRollback(result);
      return result;
    }, options);
  } catch (error) {
    if (error instanceof ResultRollback) return error.result as R;
    throw error;
  }
}
