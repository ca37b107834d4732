/** Handlers of ecommerce/order_fulfillment. */
import { PermanentError, type StepContext } from 'stepwise-workflows';

interface OrderInput {
  order_id: number;
  customer_id: string;
  shipping?: 'standard' | 'express';
  items: { sku: string; quantity: number; unit_price: number }[];
}
type Ctx = StepContext<OrderInput>;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const cents = (amount: number) => Math.round(amount * 100) / 100;

export async function validate_order(ctx: Ctx) {
  const { order_id, items } = ctx.input;
  const empty = items.find((item) => item.quantity < 1);
  if (empty) throw new PermanentError(`Order ${order_id}: item ${empty.sku} has quantity ${empty.quantity}; every item needs at least 1.`);
  await pause(40);
  const total = cents(items.reduce((sum, item) => sum + item.quantity * item.unit_price, 0));
  ctx.log.info('order validated', { order_id, total });
  return { order_id, total, item_count: items.length };
}

export async function charge_payment(ctx: Ctx) {
  const { total } = ctx.results.validate_order as { total: number };
  await pause(80);
  return { payment_id: `pay_${ctx.input.order_id}`, amount: total, currency: String(ctx.initialization.currency ?? 'EUR') };
}

/** A decision: names the dependents that proceed; the others are skipped. */
export function choose_shipping(ctx: Ctx) {
  // A handler sees the results of its direct dependencies only.
  const { amount: total } = ctx.results.charge_payment as { amount: number };
  const threshold = Number(ctx.initialization.free_express_over ?? 500);
  const express = ctx.input.shipping === 'express' || total >= threshold;
  const reason = ctx.input.shipping === 'express' ? 'customer asked for express' : express ? `total ${total} ≥ ${threshold}` : 'standard shipping';
  return { proceed: [express ? 'ship_express' : 'ship_standard'], reason };
}

/** Used by both ship_express and ship_standard: the step name says which. */
export async function ship(ctx: Ctx) {
  const express = ctx.step.templateStep === 'ship_express';
  await pause(express ? 60 : 120);
  return {
    carrier: express ? 'DHL Express' : 'PostNL',
    tracking: `${express ? 'EXP' : 'STD'}-${ctx.input.order_id}`,
    eta_days: express ? 1 : 4,
  };
}

/** Deferred convergence: runs after whichever shipping step the decision chose. */
export function notify_customer(ctx: Ctx) {
  const shipment = (ctx.results.ship_express ?? ctx.results.ship_standard) as { tracking: string; eta_days: number } | null;
  if (!shipment) throw new PermanentError('Neither shipping step produced a shipment; nothing to tell the customer.');
  return {
    to: ctx.input.customer_id,
    message: `Order ${ctx.input.order_id} is on its way (${shipment.tracking}), arriving in ${shipment.eta_days} day(s).`,
  };
}
