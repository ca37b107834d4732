/**
 * A flow defined in TypeScript: a document waits for a reviewer to approve or reject it.
 * Handlers are inline functions; state names in goTo/when are checked by the compiler.
 */
import { z } from 'zod';
import { action, decision, defineFlow, interaction, result, waitUntil } from 'stepwise-workflows';

export default defineFlow({
  name: 'document_approval',
  namespace: 'documents',
  version: '1.0.0',
  description: 'Submit a document, wait for a review, publish it or send it back.',
  attributes: z.object({
    document_id: z.string(),
    title: z.string().default('Untitled'),
    decision: z.enum(['pending', 'approved', 'rejected']).default('pending'),
    reviewer: z.string().optional(),
    reason: z.string().optional(),
  }),
  startsWith: 'submit',
  timeout: '7d',
  delay: '1h',
  onTimeout: 'expired',
  index: ['document_id'],
  states: {
    submit: action(
      (ctx) => {
        ctx.data.decision = 'pending';
        ctx.log.info('document submitted for review', { document_id: ctx.data.document_id });
      },
      { goTo: 'await_review' },
    ),
    await_review: waitUntil({ condition: (ctx) => ctx.data.decision !== 'pending', goTo: 'route' }),
    route: decision({ condition: (ctx) => ctx.data.decision === 'approved', ifTrue: 'publish', ifFalse: 'notify_author' }),
    publish: action((ctx) => void (ctx.data.published_as = `/docs/${ctx.data.document_id}`), { goTo: 'published' }),
    notify_author: action((ctx) => ctx.log.info('sent back to the author', { reason: ctx.data.reason ?? null }), { goTo: 'rejected' }),
    published: result(),
    rejected: result(),
    expired: result('No review within a week.'),
  },
  interactions: {
    approve: interaction({ when: ['await_review'], params: z.object({ reviewer: z.string() }) }, (ctx, params) => {
      ctx.data.decision = 'approved';
      ctx.data.reviewer = params.reviewer;
    }),
    reject: interaction({ when: ['await_review'], params: z.object({ reviewer: z.string(), reason: z.string().min(3) }) }, (ctx, params) => {
      ctx.data.decision = 'rejected';
      ctx.data.reviewer = params.reviewer;
      ctx.data.reason = params.reason;
    }),
  },
});
