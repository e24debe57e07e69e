/**
 * What both group-commit batchers (SQLite and PostgreSQL) share: how a unit of work ended
 * inside its savepoint, and how the units of a batch are settled once its COMMIT is known.
 * No unit settles before that: its result may depend on what earlier units of the batch wrote.
 */
export type UnitOutcome = { readonly ok: true; readonly value: unknown } |
  { readonly ok: false; readonly error: unknown };

export interface SettlingUnit {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

export interface DoneUnit<Unit extends SettlingUnit> {
  readonly unit: Unit;
  readonly outcome: UnitOutcome;
}

/** After a successful COMMIT: each unit gets its own outcome. */
export function settleCommitted(done: readonly DoneUnit<SettlingUnit>[]): void {
  for (const { unit, outcome } of done) {
    if (outcome.ok) unit.resolve(outcome.value);
    else unit.reject(outcome.error);
  }
}

/** After a failed COMMIT or a lost batch: nothing of it is stored, every unit fails. */
export function settleFailed(done: readonly DoneUnit<SettlingUnit>[], error: unknown): void {
  for (const { unit } of done) unit.reject(error);
}
