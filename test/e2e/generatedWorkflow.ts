/**
 * A generated workflow of N no-op steps (layers of varying width, each step depending on one to
 * three steps of the layer before), seeded so every run draws the same graph. Used by the
 * big-graph e2e test and by bench/workbench.bench.ts.
 */

/** Deterministic PRNG (mulberry32), so the generated graph is the same every run. */
function rng(seed: number): () => number {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generatedWorkflowYaml(steps: number): string {
  const random = rng(42);
  const lines = ['name: generated', 'namespace: bench', 'version: 1.0.0', `description: ${steps} generated no-op steps.`, 'steps:'];
  let previous: string[] = [];
  let made = 0;
  while (made < steps) {
    const width = Math.min(steps - made, 1 + Math.floor(random() * 12));
    const layer: string[] = [];
    for (let i = 0; i < width; i++) {
      const name = `s${String(made).padStart(4, '0')}`;
      const deps = new Set<string>();
      const count = previous.length === 0 ? 0 : 1 + Math.floor(random() * Math.min(3, previous.length));
      while (deps.size < count) deps.add(previous[Math.floor(random() * previous.length)]!);
      lines.push(`  - { name: ${name}, handler: noop${deps.size ? `, depends_on: [${[...deps].join(', ')}]` : ''} }`);
      layer.push(name);
      made += 1;
    }
    previous = layer;
  }
  return lines.join('\n') + '\n';
}
