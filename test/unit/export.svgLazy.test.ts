/** The wasm GraphViz (@viz-js/viz, 1.2 MB) loads on the first SVG asked for, not with the package. */
import { describe, expect, it, vi } from 'vitest';

const loads = vi.hoisted(() => ({ count: 0 }));
vi.mock('@viz-js/viz', async (importOriginal) => {
  loads.count++;
  return importOriginal();
});

describe('@viz-js/viz', () => {
  it('is not loaded by importing the public API, only by rendering SVG', async () => {
    const api = await import('../../core/index.js');
    expect(api.toDot).toBeTypeOf('function');
    expect(loads.count).toBe(0);
    const svg = await api.dotToSvg('digraph { a -> b }');
    expect(svg).toContain('<svg');
    expect(loads.count).toBe(1);
  });
});
