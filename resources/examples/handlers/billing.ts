/** Handlers of billing/invoice_sync. push_to_ledger fails while the ledger is offline. */
import type { StepContext } from 'stepwise-workflows';

interface SyncInput {
  account_id: string;
  ledger_online?: boolean;
}
interface Invoice {
  number: string;
  amount: number;
}
type Ctx = StepContext<SyncInput>;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function fetch_invoices(ctx: Ctx) {
  await pause(40);
  // Deterministic per account, so reruns show the same data.
  const seed = [...ctx.input.account_id].reduce((n, ch) => n + ch.charCodeAt(0), 0);
  const invoices: Invoice[] = [1, 2, 3].map((i) => ({ number: `INV-${seed}-${i}`, amount: ((seed * i) % 900) + 100 }));
  return { invoices, total: invoices.reduce((n, inv) => n + inv.amount, 0) };
}

export async function push_to_ledger(ctx: Ctx) {
  const { invoices } = ctx.results.fetch_invoices as unknown as { invoices: Invoice[] };
  const ledger = String(ctx.initialization.ledger ?? 'ledger');
  if (ctx.input.ledger_online === false) {
    throw new Error(
      `Ledger ${ledger} is offline: could not push ${invoices.length} invoices of account ${ctx.input.account_id}. ` +
        'Start a new task with ledger_online: true once it is back, or resolve this step manually.',
    );
  }
  await pause(60);
  return { ledger, pushed: invoices.map((inv) => inv.number) };
}

export function mark_synced(ctx: Ctx) {
  const { pushed } = ctx.results.push_to_ledger as { pushed: string[] };
  return { account_id: ctx.input.account_id, synced: pushed.length };
}
