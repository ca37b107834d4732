/** Handlers of the demo/diamond and demo/tree workflows. */
import type { StepContext } from 'stepwise-workflows';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface SalesInput {
  region?: string;
}
type Sales = { month: string; revenue: number }[];

export async function fetch_sales(ctx: StepContext<SalesInput>) {
  await pause(50);
  const region = ctx.input.region ?? 'emea';
  const sales: Sales = ['Jan', 'Feb', 'Mar', 'Apr'].map((month, i) => ({ month, revenue: 12_000 + i * 1_500 + region.length * 100 }));
  return { region, sales };
}

export async function compute_totals(ctx: StepContext<SalesInput>) {
  const { sales } = ctx.results.fetch_sales as { sales: Sales };
  await pause(80);
  return { revenue: sales.reduce((n, s) => n + s.revenue, 0), months: sales.length };
}

export async function compute_trends(ctx: StepContext<SalesInput>) {
  const { sales } = ctx.results.fetch_sales as { sales: Sales };
  await pause(60);
  const first = sales[0]!.revenue;
  const last = sales[sales.length - 1]!.revenue;
  return { growth_percent: Math.round(((last - first) / first) * 1000) / 10 };
}

export function publish_report(ctx: StepContext<SalesInput>) {
  const { revenue } = ctx.results.compute_totals as { revenue: number };
  const { growth_percent } = ctx.results.compute_trends as { growth_percent: number };
  return { title: `Sales ${ctx.input.region ?? 'emea'}`, revenue, growth_percent };
}

interface TripInput {
  destination?: string;
  nights?: number;
}

export function plan_trip(ctx: StepContext<TripInput>) {
  return { destination: ctx.input.destination ?? 'Lisbon', nights: ctx.input.nights ?? 3 };
}

/** book_flights and book_hotel: the step name says what is booked. */
export async function book(ctx: StepContext<TripInput>) {
  const plan = ctx.results.plan_trip as { destination: string; nights: number };
  await pause(70);
  const what = ctx.step.templateStep === 'book_hotel' ? `hotel in ${plan.destination}, ${plan.nights} nights` : `return flight to ${plan.destination}`;
  return { booked: what, reference: `${ctx.step.templateStep.toUpperCase()}-${plan.destination.slice(0, 3).toUpperCase()}` };
}

export function add_extra(ctx: StepContext<TripInput>) {
  const parent = Object.values(ctx.results)[0] as { reference: string };
  return { extra: ctx.step.templateStep, on: parent.reference };
}
