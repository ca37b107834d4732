/**
 * LISTEN/NOTIFY hints between processes sharing one PostgreSQL database: "there are new events"
 * and "there is new work". Hints carry no data and may be lost (a dropped connection, a process
 * that was not listening yet), so everything that reacts to them also polls; they only cut the
 * latency from a poll interval to a round trip.
 *
 * Sending: after a commit, outside its transaction (NOTIFY inside every commit serialises commits
 * on the notification queue lock, measured 4-5x slower), and coalesced: however many commits end
 * in one turn of the event loop, each channel is notified once, and while one NOTIFY is on its way
 * the next waits for it and takes every announcement made meanwhile (a busy runner sent one NOTIFY
 * per commit, a round trip and a server transaction each; now at most one per round trip).
 * `events` hints go out at most once per EVENTS_HINT_GAP_MS (with a `work` hint, or alone once the
 * gap has passed): a follower (the workbench's live view) reads every event anyway and 20 ms is
 * below what it shows, while a busy runner's commits each announced events — a NOTIFY, its
 * transaction on the server and a notification read by every listening process, for most commits
 * (measured 0.17 NOTIFY per step of a fan-out against 0.18 commits). `work` hints, which another
 * runner's dispatch waits for, are never held back.
 *
 * Receiving: one dedicated connection per process (LISTEN needs a session: PgBouncer only in session mode), reconnected
 * with backoff; after a reconnect every listener is called once, since hints may have been missed.
 * A hint carries its sender's id and the sender ignores its own: what a process commits it already
 * knows (its engine claims the next steps itself, its bus publishes its events), and a busy runner
 * would otherwise run one extra scheduling round per commit of its own.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { clientConfig, type PostgresConnectionOptions } from './pool.js';

export type HintKind = 'events' | 'work';

/** Least time between two `events` hints of one process (see the header). */
export const EVENTS_HINT_GAP_MS = 20;

const CHANNEL: Record<HintKind, string> = { events: 'stepwise_events', work: 'stepwise_work' };
const KIND_OF = new Map(Object.entries(CHANNEL).map(([k, c]) => [c, k as HintKind]));

export type HintListener = () => void;

export class PgHints {
  private readonly listeners: Record<HintKind, Set<HintListener>> = { events: new Set(), work: new Set() };
  private client: pg.Client | null = null;
  private connecting: Promise<void> | null = null;
  private closed = false;
  private retryMs = 100;
  private retryTimer: NodeJS.Timeout | null = null;
  private readonly pending = new Set<HintKind>();
  private flushScheduled = false;
  /** A NOTIFY is on its way: announcements wait for it (see the header). */
  private sending = false;
  /** When the last `events` hint went out, and the timer that sends a held one. */
  private eventsSentAt = -Infinity;
  private eventsTimer: NodeJS.Timeout | null = null;
  /** Hints sent and received (tests and the cluster view read them); `own`: received from this sender, ignored. */
  readonly stats = { sent: 0, received: 0, own: 0, reconnects: 0 };
  /** Sent as every hint's payload. */
  private readonly id = randomBytes(6).toString('hex');

  constructor(
    private readonly options: PostgresConnectionOptions,
    private readonly pool: pg.Pool,
    private readonly onError: (err: unknown) => void = () => undefined,
    /** EVENTS_HINT_GAP_MS unless a test says otherwise. */
    private readonly eventsGapMs = EVENTS_HINT_GAP_MS,
  ) {}

  /** Calls `listener` whenever another process (or this one) announces `kind`. Returns unsubscribe. */
  subscribe(kind: HintKind, listener: HintListener): () => void {
    this.listeners[kind].add(listener);
    void this.ensureListening();
    return () => void this.listeners[kind].delete(listener);
  }

  /** Resolves once the LISTEN connection is up (tests; subscribers need not wait). */
  async ready(): Promise<void> {
    await this.ensureListening();
  }

  /** Announces `kind` soon, once per event-loop turn however often it is called. */
  announce(kind: HintKind): void {
    if (this.closed) return;
    this.pending.add(kind);
    this.schedule();
  }

  /** Sends what is pending in the next turn, unless a NOTIFY is on its way or only `events` waits for its gap. */
  private schedule(): void {
    if (this.closed || this.sending || this.flushScheduled || this.pending.size === 0) return;
    const wait = this.pending.has('work') ? 0 : this.eventsSentAt + this.eventsGapMs - Date.now();
    if (wait > 0) {
      this.eventsTimer ??= setTimeout(() => {
        this.eventsTimer = null;
        this.schedule();
      }, wait).unref();
      return;
    }
    if (this.eventsTimer) clearTimeout(this.eventsTimer);
    this.eventsTimer = null;
    this.flushScheduled = true;
    setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    this.flushScheduled = false;
    if (this.closed || this.pending.size === 0) return;
    const channels = [...this.pending].map((k) => CHANNEL[k]);
    if (this.pending.has('events')) this.eventsSentAt = Date.now();
    this.pending.clear();
    this.sending = true;
    try {
      const n = channels.length;
      await this.pool.query({ name: `sw_notify_${n}`, text: `SELECT ${channels.map((_, i) => `pg_notify($${i + 1}, $${n + 1})`).join(', ')}`, values: [...channels, this.id] });
      this.stats.sent += channels.length;
    } catch (err) {
      // A lost hint is covered by polling.
      if (!this.closed) this.onError(err);
    } finally {
      this.sending = false;
    }
    // Announced while this one was on its way: sent now, together (held `events` after their gap).
    this.schedule();
  }

  private ensureListening(): Promise<void> {
    if (this.closed || this.client) return Promise.resolve();
    return (this.connecting ??= this.connect().finally(() => (this.connecting = null)));
  }

  private async connect(): Promise<void> {
    const client = new pg.Client(clientConfig(this.options));
    client.on('notification', (msg) => {
      const kind = KIND_OF.get(msg.channel);
      if (!kind) return;
      if (msg.payload === this.id) {
        this.stats.own++;
        return;
      }
      this.stats.received++;
      this.emit(kind);
    });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, null));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL.events}; LISTEN ${CHANNEL.work}`);
    } catch (err) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      this.scheduleRetry(err);
      return;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    const wasReconnect = this.stats.reconnects > 0 || this.retryMs > 100;
    this.client = client;
    this.retryMs = 100;
    // Whatever was announced while we were not listening is unknown: wake everyone once.
    if (wasReconnect) for (const kind of ['events', 'work'] as const) this.emit(kind);
  }

  private lost(client: pg.Client, err: unknown): void {
    if (this.client !== client) return;
    this.client = null;
    if (this.closed) return;
    this.stats.reconnects++;
    this.scheduleRetry(err);
  }

  private scheduleRetry(err: unknown): void {
    if (this.closed || this.retryTimer) return;
    if (err) this.onError(err);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.ensureListening();
    }, this.retryMs);
    this.retryTimer.unref();
    this.retryMs = Math.min(this.retryMs * 2, 5_000);
  }

  private emit(kind: HintKind): void {
    for (const l of [...this.listeners[kind]]) {
      try {
        l();
      } catch (err) {
        this.onError(err);
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.eventsTimer) clearTimeout(this.eventsTimer);
    this.eventsTimer = null;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const client = this.client;
    this.client = null;
    await this.connecting;
    if (client) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
    }
  }
}
