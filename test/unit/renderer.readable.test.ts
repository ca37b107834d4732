/**
 * Small renderer helpers that decide what people read: attempts against the retry budget, ages,
 * list keys, and state colours readable as text (WCAG AA 4.5:1) on their own fills.
 */
import { describe, expect, it } from 'vitest';
import { STATE_STYLES } from '../../core/export/style.js';
import { contrast, readableOn } from '../../renderer/lib/contrast.js';
import { age, attemptsText } from '../../renderer/lib/format.js';
import { nextIndex, rovingTabIndex } from '../../renderer/lib/listKeys.js';

describe('attemptsText', () => {
  it('says "n of max" within the budget and never "3 of 2" past it', () => {
    expect(attemptsText(1, 3)).toEqual({ short: '×1/3', long: '1 of 3 allowed' });
    expect(attemptsText(3, 2)).toEqual({ short: '×2+1', long: '3: the 2 its retry policy allows, then 1 more by hand' });
    expect(attemptsText(2, null).short).toBe('×2');
  });

  it('says where an allowance beyond the policy came from (a reset or rerun), also past it', () => {
    expect(attemptsText(4, 5, 2)).toEqual({ short: '×4/5', long: '4 of 5 allowed (a reset or rerun renewed its budget; its retry policy allows 2)' });
    expect(attemptsText(6, 5, 2)).toEqual({ short: '×5+1', long: '6: the 5 allowed (a reset or rerun renewed its budget; its retry policy allows 2), then 1 more by hand' });
    expect(attemptsText(2, 2, 2).long).toBe('2 of 2 allowed');
  });
});

describe('age', () => {
  it('is one short unit', () => {
    const now = 1_000_000_000;
    expect(age(now - 2_000, now)).toBe('just now');
    expect(age(now - 42_000, now)).toBe('42 s ago');
    expect(age(now - 3 * 60_000, now)).toBe('3 min ago');
    expect(age(now - 5 * 3_600_000, now)).toBe('5 h ago');
    expect(age(now - 2 * 86_400_000, now)).toBe('2 d ago');
    expect(age(now + 5_000, now)).toBe('just now');
  });
});

describe('list keys', () => {
  it('move within the list and stop at its ends', () => {
    expect(nextIndex('ArrowDown', 0, 3)).toBe(1);
    expect(nextIndex('ArrowDown', 2, 3)).toBe(2);
    expect(nextIndex('ArrowUp', 0, 3)).toBe(0);
    expect(nextIndex('End', 0, 3)).toBe(2);
    expect(nextIndex('Home', 2, 3)).toBe(0);
    expect(nextIndex('a', 0, 3)).toBeNull();
    expect(nextIndex('ArrowDown', 0, 0)).toBeNull();
  });
  it('make one item the Tab stop: the current one, else the first', () => {
    expect([0, 1, 2].map((i) => rovingTabIndex(i, 1))).toEqual([-1, 0, -1]);
    expect([0, 1, 2].map((i) => rovingTabIndex(i, -1))).toEqual([0, -1, -1]);
  });
});

describe('readableOn', () => {
  it('darkens every state colour until it reads at 4.5:1 on its own fill', () => {
    for (const [state, style] of Object.entries(STATE_STYLES)) {
      const text = readableOn(style.stroke, [style.fill]);
      expect(contrast(text, style.fill), state).toBeGreaterThanOrEqual(4.5);
    }
  });
  it('leaves a colour that already reads unchanged, and knows the WCAG ratios', () => {
    expect(readableOn('#1f2328', ['#ffffff'])).toBe('#1f2328');
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrast('#8b95a3', '#ffffff')).toBeCloseTo(3.03, 2);
  });
});
