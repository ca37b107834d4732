/** The CLI's preview of an operation prints an error once, on one line, without its stack (core/cli/opsCommand formatPreview). */
import { describe, expect, it } from 'vitest';
import { formatPreview } from '../../core/cli/opsCommand.js';
import type { Preview } from '../../core/ops/types.js';

describe('formatPreview', () => {
  it('shows the first line of an error once and calls its copy on the task "the error above"', () => {
    const error = { class: 'Error', message: 'Ledger acme-books is offline: could not push 3 invoices.\nsecond line', stack: 'Error: Ledger…\n    at push_to_ledger (billing.ts:28:11)' };
    const preview = {
      op: 'resolveManually',
      taskId: 't-1',
      version: 7,
      changes: [
        { kind: 'task', name: 't-1', field: 'error', from: error, to: null },
        { kind: 'step', name: 'push_to_ledger', field: 'error', from: error, to: null },
        { kind: 'step', name: 'push_to_ledger', field: 'state', from: 'error', to: 'resolved_manually' },
      ],
      notes: [],
    } as unknown as Preview;
    const text = formatPreview(preview);
    expect(text.match(/Ledger acme-books is offline/g)).toHaveLength(1);
    expect(text).toContain('task  error: Error: Ledger acme-books is offline: could not push 3 invoices. → ∅');
    expect(text).toContain('step push_to_ledger  error: the error above → ∅');
    expect(text).not.toMatch(/second line|\bat push_to_ledger/);
  });
});
