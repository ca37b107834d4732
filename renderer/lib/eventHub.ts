/**
 * The page's one live event subscription, shared by every view. It starts at a known cursor
 * and keeps the most recent events, so a view that read a snapshot at seq S can ask for
 * "everything after S" and miss nothing that arrived while its snapshot was in flight.
 * Reconnects resume inside tRPC (tracked ids), so the hub sees no gap and no duplicate.
 */
import type { StepwiseEvent } from '../../core/host/protocol.js';
import type { Client } from './client.js';

type Listener = (event: StepwiseEvent) => void;

export class EventHub {
  private buffer: StepwiseEvent[] = [];
  private listeners = new Set<Listener>();
  /** Events with seq <= base are not in the buffer. */
  private base = 0;
  private last = 0;
  private stop: (() => void) | null = null;

  constructor(private readonly capacity = 20_000) {}

  /** Starts following after `fromSeq` (the host's log end when the page loaded). */
  start(client: Client, fromSeq: number, onError: (err: unknown) => void): void {
    this.base = fromSeq;
    this.last = fromSeq;
    const sub = client.onEvents.subscribe(
      { fromSeq },
      {
        onData: (envelope) => this.receive(envelope.data as StepwiseEvent),
        onError,
      },
    );
    this.stop = () => sub.unsubscribe();
  }

  receive(event: StepwiseEvent): void {
    // tRPC resumes by lastEventId; this guard only protects against a misbehaving server.
    if (event.seq <= this.last) return;
    this.last = event.seq;
    this.buffer.push(event);
    if (this.buffer.length > this.capacity) {
      const dropped = this.buffer.splice(0, this.buffer.length - this.capacity);
      this.base = dropped[dropped.length - 1]!.seq;
    }
    for (const l of this.listeners) l(event);
  }

  /**
   * Calls `listener` with every event after `afterSeq` (buffered ones first, then live).
   * Returns false in `complete` when events older than the buffer were asked for: the caller
   * must read a fresh snapshot instead.
   */
  listen(afterSeq: number, listener: Listener): { complete: boolean; unsubscribe: () => void } {
    const complete = afterSeq >= this.base;
    for (const e of this.buffer) if (e.seq > afterSeq) listener(e);
    this.listeners.add(listener);
    return { complete, unsubscribe: () => this.listeners.delete(listener) };
  }

  lastSeq(): number {
    return this.last;
  }

  close(): void {
    this.stop?.();
    this.listeners.clear();
  }
}
