import { describe, expect, it } from 'vitest';
import { computeInsights, templateQuery } from '../../core/insights/insights.js';
import { MemoryStorage } from '../../core/storage/memory.js';
import type { Storage } from '../../core/storage/storage.js';
import { attempt, step, task, T0 } from '../fixtures/storage/records.js';

/** 7 tasks over two templates, one created per minute; each has one step with one attempt. */
async function seeded(): Promise<Storage> {
  const s = new MemoryStorage();
  const specs = [
    ['a1', 'shop', 'order', '1.0.0'],
    ['a2', 'shop', 'order', '2.0.0'],
    ['b1', 'crm', 'lead', '1.0.0'],
    ['a3', 'shop', 'order', '2.0.0'],
    ['b2', 'crm', 'lead', '1.0.0'],
    ['a4', 'shop', 'refund', '1.0.0'],
    ['a5', 'shop', 'order', '2.0.0'],
  ] as const;
  for (const [i, [id, namespace, name, version]] of specs.entries()) {
    const createdAt = T0 + i * 60_000;
    await s.commit({
      insertTasks: [task(id, { namespace, name, templateVersion: version, templateRef: `${namespace}/${name}@${version}`, status: 'complete', createdAt, finishedAt: createdAt + (i + 1) * 1000 })],
      insertSteps: [step(id, 'work', { state: 'complete' })],
      insertAttempts: [attempt(id, 'work', 1, { outcome: i % 2 === 0 ? 'success' : 'error', startedAt: createdAt, finishedAt: createdAt + 10 * (i + 1), durationMs: 10 * (i + 1), error: i % 2 === 0 ? null : { class: 'E', message: `fail ${id}` } })],
    });
  }
  return s;
}

describe('computeInsights over a Storage', () => {
  it('reads every page and agrees with a single big page', async () => {
    const s = await seeded();
    const paged = await computeInsights(s, { pageSize: 2 });
    const whole = await computeInsights(s, { pageSize: 500 });
    expect(paged).toEqual(whole);
    expect(paged.tasks.total).toBe(7);
    expect(paged.attempts.total).toBe(7);
    expect(paged.slowestTasks[0]).toMatchObject({ taskId: 'a5', durationMs: 7000 });
    expect(paged.failingSteps.map((r) => [r.template, r.failures, r.lastError?.message])).toEqual([
      ['shop/order', 2, 'fail a3'],
      ['shop/refund', 1, 'fail a4'],
    ]);
  });

  it('keeps only tasks created since a time, and stops paging once past it', async () => {
    const s = await seeded();
    let pagesRead = 0;
    const counting = new Proxy(s, {
      get(target, prop, receiver) {
        if (prop === 'listTasks') return (...args: Parameters<Storage['listTasks']>) => (pagesRead++, target.listTasks(...args));
        return Reflect.get(target, prop, receiver);
      },
    });
    const x = await computeInsights(counting, { since: T0 + 5 * 60_000, pageSize: 1 });
    expect(x.filter).toEqual({ since: T0 + 5 * 60_000 });
    expect(x.slowestTasks.map((t) => t.taskId)).toEqual(['a5', 'a4']);
    // a5, a4, then b2 (older): the third page ends the scan.
    expect(pagesRead).toBe(3);
  });

  it('filters by namespace and by template in every reference form', async () => {
    const s = await seeded();
    const ids = async (o: Parameters<typeof computeInsights>[1]) => (await computeInsights(s, o)).slowestTasks.map((t) => t.taskId).sort();
    expect(await ids({ namespace: 'crm' })).toEqual(['b1', 'b2']);
    expect(await ids({ template: 'shop/order' })).toEqual(['a1', 'a2', 'a3', 'a5']);
    expect(await ids({ template: 'shop/order@2.0.0' })).toEqual(['a2', 'a3', 'a5']);
    expect(await ids({ template: 'refund' })).toEqual(['a4']);
    expect(await ids({ template: 'order', namespace: 'shop' })).toEqual(['a1', 'a2', 'a3', 'a5']);
    expect(await ids({ template: 'shop/order@2.0.0', namespace: 'shop' })).toEqual(['a2', 'a3', 'a5']);
    expect(await ids({ template: 'nothing' })).toEqual([]);
  });

  it('refuses contradictory or malformed filters with USAGE', async () => {
    const s = await seeded();
    for (const o of [{ template: 'shop/order', namespace: 'crm' }, { template: 'shop/order@1.0.0', namespace: 'crm' }, { template: ' ' }, { pageSize: 0 }, { since: Number.NaN }]) {
      await expect(computeInsights(s, o)).rejects.toMatchObject({ code: 'USAGE' });
    }
  });

  it('templateQuery maps the reference forms onto task-list filters', () => {
    expect(templateQuery('a/b@1')).toEqual({ templateRef: 'a/b@1' });
    expect(templateQuery('a/b')).toEqual({ namespace: 'a', name: 'b' });
    expect(templateQuery('b')).toEqual({ name: 'b' });
  });
});
