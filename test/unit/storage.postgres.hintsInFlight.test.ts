/**
 * PgHints sends at most one NOTIFY at a time: announcements made while one is on its way are sent
 * together right after it (a busy runner sent one NOTIFY per commit); `events` hints go at most once
 * per gap, `work` hints at once (taking held `events` along). A fake pool stands in for the
 * server so the test decides when each NOTIFY returns; the real round trip is covered by
 * storage.postgres.concurrency.test.ts.
 */
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { PgHints } from '../../core/storage/postgres/notify.js';

function fakePool() {
  const sent: Array<{ channels: string[]; done: (err?: Error) => void }> = [];
  const pool = {
    query(q: { values: string[] }) {
      return new Promise<void>((resolve, reject) => {
        sent.push({ channels: q.values.slice(0, -1), done: (err) => (err ? reject(err) : resolve()) });
      });
    },
  };
  return { pool: pool as unknown as pg.Pool, sent };
}

const turn = () => new Promise((r) => setImmediate(r));

describe('PgHints while a NOTIFY is on its way', () => {
  it('holds later announcements and sends them together once it returns', async () => {
    const { pool, sent } = fakePool();
    const hints = new PgHints({ url: 'postgres://x/y' }, pool, undefined, 0);
    hints.announce('events');
    await turn();
    expect(sent.map((s) => s.channels)).toEqual([['stepwise_events']]);
    for (let i = 0; i < 5; i++) {
      hints.announce('work');
      hints.announce('events');
      await turn();
    }
    // Nothing more while the first is in flight.
    expect(sent).toHaveLength(1);
    sent[0]!.done();
    await turn();
    await turn();
    expect(sent.map((s) => s.channels.sort())).toEqual([['stepwise_events'], ['stepwise_events', 'stepwise_work']]);
    sent[1]!.done();
    await turn();
    await turn();
    expect(sent).toHaveLength(2);
    expect(hints.stats.sent).toBe(3);
  });

  it('sends what was held after a NOTIFY that failed (reported, polling covers the lost one)', async () => {
    const { pool, sent } = fakePool();
    const errors: unknown[] = [];
    const hints = new PgHints({ url: 'postgres://x/y' }, pool, (err) => errors.push(err));
    hints.announce('work');
    await turn();
    hints.announce('work');
    await turn();
    sent[0]!.done(new Error('connection lost'));
    await turn();
    await turn();
    expect(errors).toHaveLength(1);
    expect(sent.map((s) => s.channels)).toEqual([['stepwise_work'], ['stepwise_work']]);
    sent[1]!.done();
  });

  it('holds `events` hints for the gap after the last one; a `work` hint goes at once and takes them along', async () => {
    const { pool, sent } = fakePool();
    const hints = new PgHints({ url: 'postgres://x/y' }, pool, undefined, 60_000);
    hints.announce('events');
    await turn();
    sent[0]!.done();
    await turn();
    for (let i = 0; i < 5; i++) {
      hints.announce('events');
      await turn();
    }
    expect(sent).toHaveLength(1);
    hints.announce('work');
    await turn();
    expect(sent.map((s) => s.channels.sort())).toEqual([['stepwise_events'], ['stepwise_events', 'stepwise_work']]);
    sent[1]!.done();
    await hints.close();
  });

  it('sends a held `events` hint once its gap has passed', async () => {
    const { pool, sent } = fakePool();
    const hints = new PgHints({ url: 'postgres://x/y' }, pool, undefined, 30);
    hints.announce('events');
    await turn();
    sent[0]!.done();
    await turn();
    hints.announce('events');
    hints.announce('events');
    await expect.poll(() => sent.length).toBe(2);
    expect(sent[1]!.channels).toEqual(['stepwise_events']);
    sent[1]!.done();
    await hints.close();
  });
});
