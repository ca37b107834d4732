import { describe, expect, it } from 'vitest';
import { mermaidText, toMermaid } from '../../core/export/mermaid.js';
import { templateGraph } from '../../core/export/graphModel.js';
import { runtimeGraph } from '../../core/export/runtimeGraph.js';
import * as fx from '../fixtures/export/templates.js';
import { stepRecord, worker } from '../fixtures/export/records.js';

describe('toMermaid', () => {
  it('writes a flowchart with generated ids, shapes and labelled edges', () => {
    expect(toMermaid(templateGraph(fx.onboarding))).toBe(
      [
        '%% test/user_onboarding@1.0.0',
        'flowchart TB',
        '  start((" "))',
        '  n0{"check_email"}',
        '  n1{{"ask_for_email"}}',
        '  n2("send_welcome")',
        '  n3((("expired")))',
        '  n4((("done")))',
        '  n5[/"provide_email"/]',
        '  n6[/"cancel_signup"/]',
        '  start --> n0',
        '  n0 -->|"has_email"| n2',
        '  n0 -->|"not has_email"| n1',
        '  n1 -->|"has_email"| n2',
        '  n2 --> n4',
        '  n1 -.->|"timeout"| n3',
        '  n2 -.->|"timeout"| n3',
        '  n5 -.-> n1',
        '  n6 -.-> n0',
        '  n6 -.-> n1',
        '  n6 -.-> n2',
        '  classDef startPoint fill:#111827,stroke:#111827',
        '  class start startPoint',
        '',
      ].join('\n'),
    );
  });

  it('is stable', () => {
    for (const t of [fx.hostileWorkflow, fx.hostileFlow, fx.batch]) {
      expect(toMermaid(templateGraph(t))).toBe(toMermaid(templateGraph(t)));
    }
  });

  it('never lets a name reach the syntax', () => {
    const out = toMermaid(templateGraph(fx.hostileWorkflow));
    // Every node line is `  n<i><open>"<escaped>"<close>`: no raw quote, bracket or pipe in a label.
    for (const line of out.split('\n').filter((l) => /^ {2}n\d+\W/.test(l) && !l.includes('-->'))) {
      const inner = /"(.*)"/.exec(line)![1]!;
      expect(inner).not.toMatch(/["[\]{}()|`]/);
    }
    expect(out).toContain('n7{"say #34;hi#34;"}');
    expect(out).toContain('n13{"#60;html#62; #38; #35;35; #124;pipe#124;"}');
    expect(out).toContain('n10{"multi<br/>line"}');
    expect(out).toContain('n6["end"]');
    expect(mermaidText('<b>&#35;')).toBe('#60;b#62;#38;#35;35;');
  });

  it('colours states with classes and marks them in the label', () => {
    const g = runtimeGraph(fx.batch, [
      stepRecord('split', 'complete', ['list_files'], { type: 'batchable' }),
      worker('import_batch', 0, 'error', 'split'),
      worker('import_batch', 1, 'error', 'split'),
    ]);
    const out = toMermaid(g);
    expect(out).toContain('n2(["import_batch#35;0<br/>✗ error"])');
    expect(out).toContain('  class n2,n3 dynamic');
    expect(out).toContain('  classDef st_error fill:#fecaca,stroke:#b91c1c');
    expect(out).toContain('  class n2,n3 st_error');
    expect(out).toContain('  class n1 st_complete');
  });

  it('highlights the current state', () => {
    const out = toMermaid(templateGraph(fx.onboarding), { current: 'ask_for_email', states: { ask_for_email: 'waiting' } });
    expect(out).toContain('n1{{"ask_for_email<br/>‖ waiting<br/>#40;current#41;"}}');
    expect(out).toContain('  class n1 current');
  });
});
