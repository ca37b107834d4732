/**
 * Advisory lock classes. Stepwise takes only two-key advisory locks `(class, key)`, which never
 * collide with an application's one-key (bigint) locks on the same database, and picks classes
 * from a range unlikely to be used by hand. Keys of named things are `hashtext(name)`: two names
 * sharing a hash only serialise more, they never break a guarantee.
 */
export const LOCK = {
  /** Session lock around applying migrations. */
  migrate: 0x5354_0001,
  /** Session lock of the event seq critical section (stepwise.event_seqs). */
  eventSeq: 0x5354_0002,
  /** Transaction lock per task id: commits touching one task run one at a time. */
  task: 0x5354_0010,
  /** Transaction lock per concurrency key: guarded claims count running steps exactly. */
  concurrencyKey: 0x5354_0011,
  /** Transaction lock per idempotency key: two creations with one key cannot both pass the check. */
  idempotencyKey: 0x5354_0012,
  /** Session lock held by the one engine doing housekeeping (expiry, deletion). */
  housekeeping: 0x5354_0020,
} as const;
