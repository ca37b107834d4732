import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StaleError } from '../../core/model/errors.js';
import { addStep, hashText, readTemplateForEdit, saveTemplate } from '../../core/template/edit/index.js';

const TEMPLATE = '# keep me\nname: t\nsteps:\n  - name: a   # and me\n    handler: a\n';
let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'stepwise-save-'));
  file = join(dir, 't.yaml');
  writeFileSync(file, TEMPLATE);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('saveTemplate', () => {
  it('writes an edit when the file is as it was read, and returns the new snapshot', async () => {
    const snap = await readTemplateForEdit(file);
    expect(snap).toMatchObject({ file, text: TEMPLATE, hash: hashText(TEMPLATE) });
    const edited = addStep(snap.text, { name: 'b', handler: 'b', dependsOn: ['a'] }).text;
    const saved = await saveTemplate(file, edited, { expectedHash: snap.hash });
    expect(readFileSync(file, 'utf8')).toBe(edited);
    expect(saved).toMatchObject({ text: edited, hash: hashText(edited), mtimeMs: statSync(file).mtimeMs });
    // The next save chains on the returned snapshot.
    await saveTemplate(file, TEMPLATE, { expectedHash: saved.hash });
    expect(readFileSync(file, 'utf8')).toBe(TEMPLATE);
  });

  it('refuses with STALE when the file changed on disk since it was read (by hash or by mtime)', async () => {
    const snap = await readTemplateForEdit(file);
    writeFileSync(file, TEMPLATE + '# someone else\n');
    const byHash = await saveTemplate(file, 'name: mine\n', { expectedHash: snap.hash }).catch((e: unknown) => e);
    expect(byHash).toBeInstanceOf(StaleError);
    expect(byHash).toMatchObject({ code: 'STALE', details: { file, expectedHash: snap.hash, actualHash: hashText(TEMPLATE + '# someone else\n') } });
    utimesSync(file, new Date(snap.mtimeMs + 5000), new Date(snap.mtimeMs + 5000));
    await expect(saveTemplate(file, 'name: mine\n', { expectedMtimeMs: snap.mtimeMs })).rejects.toMatchObject({ code: 'STALE' });
    expect(readFileSync(file, 'utf8')).toBe(TEMPLATE + '# someone else\n');
  });

  it('refuses a deleted file, an existing file for create, and a save without an expectation', async () => {
    const snap = await readTemplateForEdit(file);
    await expect(saveTemplate(file, 'x: 1\n', {})).rejects.toMatchObject({ code: 'USAGE' });
    await expect(saveTemplate(file, 'x: 1\n', { create: true })).rejects.toMatchObject({ code: 'STALE' });
    rmSync(file);
    await expect(saveTemplate(file, 'x: 1\n', { expectedHash: snap.hash })).rejects.toMatchObject({ code: 'STALE' });
    await saveTemplate(file, 'x: 1\n', { create: true });
    expect(readFileSync(file, 'utf8')).toBe('x: 1\n');
  });

  it('writes through a hidden temporary file and leaves nothing behind, keeping the file mode', async () => {
    chmodSync(file, 0o640);
    const snap = await readTemplateForEdit(file);
    await saveTemplate(file, 'name: t2\nsteps: []\n', { expectedHash: snap.hash });
    expect(readdirSync(dir)).toEqual(['t.yaml']);
    expect(statSync(file).mode & 0o777).toBe(0o640);
  });

  it('a write that fails is a STORAGE_ERROR naming the file, and leaves no temporary file', async () => {
    const missing = join(dir, 'no-such-folder', 'new.yaml');
    const err = await saveTemplate(missing, 'name: other\n', { create: true }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'STORAGE_ERROR' });
    expect((err as Error).message).toContain(missing);
    expect(readdirSync(dir)).toEqual(['t.yaml']);
  });

  it('reading a missing file is NOT_FOUND', async () => {
    await expect(readTemplateForEdit(join(dir, 'none.yaml'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
