/**
 * Whether a chain step's cost grows with the chain's depth: `npx tsx bench/profile/chainDepth.ts`.
 * Runs chains of 50, 200 and 800 no-op steps (SQLite file, pool of 8) alternately, three rounds
 * (the first unmeasured), and prints wall and CPU µs per step: O(1) per step shows as the same
 * CPU per step at every depth.
 */
import { tempDir } from '../lib/cli.js';
import { benchEngine, chain } from '../lib/stepwise.js';

const dir = tempDir('chaindepth');
for (let round = 0; round < 3; round++) {
  for (const n of [50, 200, 800]) {
    const template = chain(n);
    const b = await benchEngine([template], { kind: 'sqlite', dir, name: `c${n}-${round}` });
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const task = await b.engine.start(template.name);
    const r = await b.engine.runUntilIdle({ taskId: task.id });
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    if (r.task?.status !== 'complete') throw new Error(`chain ${n} ended ${r.task?.status}`);
    if (round > 0) console.log(`chain ${n}: wall ${((ms * 1000) / n).toFixed(0)} µs/step, CPU ${((cpu.user + cpu.system) / n).toFixed(0)} µs/step`);
    await b.close();
  }
}
