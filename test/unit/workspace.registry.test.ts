import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { StepwiseError } from '../../core/model/errors.js';
import type { HandlerEntry } from '../../core/model/workspace.js';
import { defineWorkflow } from '../../core/template/defineWorkflow.js';
import { compareVersionsDesc, createHandlerRegistry, createTemplateRegistry } from '../../core/template/registry.js';
import { loadWorkspace } from '../../core/template/workspace.js';

const root = fileURLToPath(new URL('../fixtures/templates/workspaces/configured/', import.meta.url));

describe('createTemplateRegistry', async () => {
  const ws = await loadWorkspace(root);
  const registry = createTemplateRegistry(ws.templates, { root: ws.root });
  const refOf = (ref: string) => {
    const t = registry.resolve(ref);
    return `${t.namespace}/${t.name}@${t.version}`;
  };

  it('resolves namespace/name@version exactly', () => {
    expect(refOf('ops/sync@1.9.0')).toBe('ops/sync@1.9.0');
  });

  it('resolves namespace/name to the highest version, numerically', () => {
    expect(refOf('ops/sync')).toBe('ops/sync@2.0.0');
    expect(compareVersionsDesc('1.9.0', '1.10.0')).toBeGreaterThan(0);
  });

  it('resolves a file path, relative to the workspace or absolute', () => {
    expect(refOf('templates/sync_old.yaml')).toBe('ops/sync@1.9.0');
    expect(refOf(join(root, 'templates/other_sync.yaml'))).toBe('archive/sync@1.0.0');
  });

  it('refuses an ambiguous bare name, listing the namespaces', () => {
    expect(() => registry.resolve('sync')).toThrow(/ambiguous.*ops.*archive|ambiguous.*archive.*ops/);
  });

  it('an unknown template is TEMPLATE_NOT_FOUND listing the known ones', () => {
    try {
      registry.resolve('ops/snyc');
      expect.unreachable();
    } catch (err) {
      const e = err as StepwiseError;
      expect(e.code).toBe('TEMPLATE_NOT_FOUND');
      expect(e.message).toContain("'ops/snyc'");
      expect(e.message).toContain('archive/sync@1.0.0, ops/sync@1.10.0, ops/sync@1.9.0, ops/sync@2.0.0');
    }
    expect(() => createTemplateRegistry([]).resolve('x')).toThrow(/none/);
  });

  it('resolves a unique bare name', () => {
    const only = createTemplateRegistry([defineWorkflow({ name: 'solo', namespace: 'n', steps: [{ name: 'a', handler: 'a' }] })]);
    expect(only.resolve('solo').name).toBe('solo');
    expect(only.list()).toHaveLength(1);
  });
});

describe('createHandlerRegistry', () => {
  const shared = () => 'workspace';
  const inline = () => 'inline';
  const handlers = new Map<string, HandlerEntry>([['go', { name: 'go', fn: shared, file: '/ws/handlers/go.ts' }]]);
  const registry = createHandlerRegistry(handlers);
  const template = { ...defineWorkflow({ name: 't', steps: [{ name: 'go', handler: inline }] }) };

  it("prefers the template's inline handlers, then the workspace's", () => {
    expect(registry.get('go', template)).toBe(inline);
    expect(registry.get('go')).toBe(shared);
    expect(registry.get('missing', template)).toBeUndefined();
  });

  it('knows the module file of a workspace handler', () => {
    expect(registry.fileOf!('go')).toBe('/ws/handlers/go.ts');
    expect(registry.fileOf!('missing')).toBeUndefined();
  });
});
