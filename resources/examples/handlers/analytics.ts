/** Handlers of analytics/csv_import: a batchable splitter, a batch worker, a summary. */
import type { StepContext } from 'stepwise-workflows';

interface ImportInput {
  rows?: number;
  batch_size?: number;
}
interface Batch {
  batch: number;
  from: number;
  to: number;
}
interface BatchResult {
  batch: number;
  imported: number;
  rejected: number;
}
type Ctx = StepContext<ImportInput>;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Batchable: returns the batches; the engine creates one import_batch worker per batch. */
export function split_rows(ctx: Ctx) {
  const rows = ctx.input.rows ?? 250;
  const size = ctx.input.batch_size ?? 100;
  const batches: Batch[] = [];
  for (let from = 0; from < rows; from += size) batches.push({ batch: batches.length + 1, from, to: Math.min(from + size, rows) });
  return { batches, total_rows: rows };
}

/** Batch worker: imports rows [from, to). Every 97th row is malformed and rejected. */
export async function import_batch(ctx: Ctx): Promise<BatchResult> {
  const { batch, from, to } = ctx.batch as unknown as Batch;
  let rejected = 0;
  for (let row = from; row < to; row++) if (row > 0 && row % 97 === 0) rejected++;
  ctx.progress(0.5, `batch ${batch}: rows ${from}–${to - 1}`);
  await pause(50);
  return { batch, imported: to - from - rejected, rejected };
}

/** Convergence: sums whatever the workers returned. */
export function summarize_import(ctx: Ctx) {
  const results = Object.values(ctx.results).filter(
    (r): r is { batch: number; imported: number; rejected: number } => typeof r === 'object' && r !== null && 'imported' in r,
  );
  return {
    batches: results.length,
    imported: results.reduce((n, r) => n + r.imported, 0),
    rejected: results.reduce((n, r) => n + r.rejected, 0),
  };
}
