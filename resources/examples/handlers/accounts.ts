/** Handlers of the accounts/user_onboarding flow (conditions, an action, an interaction). */
import type { FlowContext } from 'stepwise-workflows';

// The flow's data as stored (JSON); its shape is the `attributes` schema of the template.
type Ctx = FlowContext;

/** Condition of check_email and of the ask_for_email wait. */
export function has_email(ctx: Ctx): boolean {
  return typeof ctx.data.email === 'string' && ctx.data.email.includes('@');
}

export async function send_welcome(ctx: Ctx) {
  await new Promise((resolve) => setTimeout(resolve, 30));
  ctx.data.welcome_sent = true;
  ctx.log.info('welcome email sent', { to: ctx.data.email ?? null, user_id: ctx.data.user_id ?? null });
}

/** Interaction provide_email: params were validated against its schema. */
export function store_email(ctx: Ctx, params: { email: string }) {
  ctx.data.email = params.email.trim().toLowerCase();
}
