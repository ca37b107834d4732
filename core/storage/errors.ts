/**
 * Errors the storage layer throws on purpose. Every implementation throws the same ones for the
 * same situations (the contract suite checks it), so callers can branch on `code` alone.
 */
import { StaleError, StepwiseError } from '../model/errors.js';

export type RecordKind = 'task' | 'step' | 'attempt';

/**
 * A record changed (or vanished) since it was read. `actual` is null when the record no longer
 * exists. Nothing of the commit was written.
 */
export function staleRecord(kind: RecordKind, id: string, expected: number | null, actual: number | null): StaleError {
  const found = actual === null ? 'it no longer exists' : `it is now at version ${actual}`;
  const wanted = expected === null ? '' : ` (expected version ${expected})`;
  return new StaleError(
    `${kind} '${id}' changed since it was read${wanted}: ${found}. Nothing was written; read it again and retry.`,
    { record: kind, id, expectedVersion: expected, actualVersion: actual },
  );
}

/**
 * A commit would start more running steps holding a concurrency key than its guard allows
 * (ChangeSet.concurrencyGuards). Like STALE it is a lost race, not a fault: another engine took
 * the slot since the caller counted. Nothing was written; try again once a slot frees.
 */
export class ConcurrencyLimitError extends StepwiseError {
  constructor(key: string, limit: number, running: number) {
    super(
      'CONCURRENCY_LIMIT',
      `Concurrency key '${key}' already has ${running} running step(s) (limit ${limit}). Nothing was written; the step stays ready and is started once a slot frees.`,
      { key, limit, running },
    );
  }
}

/** Inserting a record whose identity (id, step name, idempotency key) is already taken. */
export class DuplicateError extends StepwiseError {
  constructor(message: string, details: Record<string, unknown>) {
    super('DUPLICATE', message, details);
  }
}

export function duplicateIdempotencyKey(key: string, existingTaskId: string): DuplicateError {
  return new DuplicateError(
    `A task with idempotency key '${key}' already exists ('${existingTaskId}'). Nothing was written; use the existing task.`,
    { record: 'task', idempotencyKey: key, existingTaskId },
  );
}

export function duplicateRecord(kind: RecordKind, id: string, what = 'id'): DuplicateError {
  return new DuplicateError(
    `A ${kind} with ${what} '${id}' already exists. Nothing was written; pick a new ${what}.`,
    { record: kind, id, field: what },
  );
}

/** The database was written by a newer Stepwise than this one. */
export class SchemaTooNewError extends StepwiseError {
  constructor(file: string, found: number, supported: number) {
    super(
      'SCHEMA_TOO_NEW',
      `The database '${file}' has schema version ${found}, but this Stepwise only knows versions up to ${supported}. ` +
        'Upgrade Stepwise, or point it at another database file. The database was not changed.',
      { file, found, supported },
    );
  }
}

/** A caller broke the ChangeSet rules (a bug in the caller, not a race). */
export function invalidChange(message: string, details: Record<string, unknown> = {}): StepwiseError {
  return new StepwiseError('USAGE', `Invalid storage change: ${message}`, details);
}
