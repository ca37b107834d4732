/**
 * Prints one plain closing line, `N passed, N failed, N skipped`, after Playwright's own report,
 * so CI systems that read only a final summary line understand the outcome of the browser run.
 */
import type { FullResult, Reporter, TestCase, TestResult } from '@playwright/test/reporter';

export default class SummaryReporter implements Reporter {
  private readonly outcomes = new Map<string, TestCase['outcome'] extends () => infer O ? O : never>();

  onTestEnd(test: TestCase, _result: TestResult): void {
    // Keyed by test: a retried test counts once, with its final outcome.
    this.outcomes.set(test.id, test.outcome());
  }

  onEnd(_result: FullResult): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const outcome of this.outcomes.values()) {
      if (outcome === 'expected' || outcome === 'flaky') passed++;
      else if (outcome === 'skipped') skipped++;
      else failed++;
    }
    process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }

  printsToStdio(): boolean {
    return false;
  }
}
