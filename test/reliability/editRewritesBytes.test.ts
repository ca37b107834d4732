/**
 * Attack (issue 12): saving an edit rewrote bytes it did not touch. A template with ISO-8859-1
 * bytes in a comment (`# café` saved by a Latin-1 editor) came back with them replaced by U+FFFD
 * (EF BF BD) after any edit, and the stale check hashed the decoded text, so a change on disk
 * to other non-UTF-8 bytes went unnoticed. Now a save rewrites only the changed range and the
 * hash is over the file's bytes.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { addStep, readTemplateForEdit, renameStep, saveTemplate } from '../../core/template/edit/index.js';
import { decodeWithOffsets, spliceBytes } from '../../core/template/edit/bytes.js';

const dir = mkdtempSync(join(tmpdir(), 'stepwise-bytes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const latin1 = (text: string) => Buffer.from(text, 'latin1');
const TEMPLATE = Buffer.concat([
  Buffer.from('# workflow for the caf', 'utf8'),
  latin1('\u00e9 (Latin-1)\nname: t\nsteps:\n  - name: a   # d\u00e9j\u00e0 vu\n'),
  Buffer.from('    handler: a\n  - name: z\n    handler: z\n    depends_on: [a]\n', 'utf8'),
]);

describe('saving an edit of a file that is not all UTF-8', () => {
  it('keeps every byte outside the edited range', async () => {
    const file = join(dir, 'latin1.yaml');
    writeFileSync(file, TEMPLATE);
    const snap = await readTemplateForEdit(file);
    expect(snap.text).toContain('caf\ufffd');
    const edited = addStep(snap.text, { name: 'b', handler: 'b', dependsOn: ['a'] }).text;
    await saveTemplate(file, edited, { expectedHash: snap.hash });
    const after = readFileSync(file);
    // The Latin-1 bytes are still there, unchanged, and no U+FFFD was written.
    expect(after.subarray(0, TEMPLATE.indexOf('    handler: a'))).toEqual(TEMPLATE.subarray(0, TEMPLATE.indexOf('    handler: a')));
    expect(after.includes(Buffer.from('\ufffd', 'utf8'))).toBe(false);
    expect(after.toString('utf8')).toBe(edited);
    // A rename touching lines with Latin-1 bytes elsewhere rewrites only its own ranges.
    const again = await readTemplateForEdit(file);
    const renamed = renameStep(again.text, 'z', 'zz').text;
    await saveTemplate(file, renamed, { expectedHash: again.hash });
    const last = readFileSync(file);
    expect(last.includes(latin1('caf\u00e9'))).toBe(true);
    expect(last.includes(latin1('d\u00e9j\u00e0 vu'))).toBe(true);
    expect(last.toString('utf8')).toBe(renamed);
  });

  it('the stale check sees a change to bytes that decode the same', async () => {
    const file = join(dir, 'stale.yaml');
    writeFileSync(file, TEMPLATE);
    const snap = await readTemplateForEdit(file);
    // é → è in Latin-1: both decode to U+FFFD, so the decoded text is unchanged.
    const changed = Buffer.from(TEMPLATE);
    changed[changed.indexOf(0xe9)] = 0xe8;
    writeFileSync(file, changed);
    expect((await readTemplateForEdit(file)).text).toBe(snap.text);
    await expect(saveTemplate(file, snap.text + '# mine\n', { expectedHash: snap.hash })).rejects.toMatchObject({ code: 'STALE' });
    expect(readFileSync(file)).toEqual(changed);
  });
});

describe('decoding with byte offsets', () => {
  it('decodes exactly as Node does, for every kind of bad sequence', () => {
    const samples = [
      TEMPLATE,
      Buffer.from([0xe2, 0x82, 0x41, 0xf0, 0x9f, 0x98, 0x80, 0xf0, 0x9f, 0x41, 0xed, 0xa0, 0x80, 0xc0, 0xaf, 0xf4, 0x90, 0x80, 0x80, 0xef, 0xbb, 0xbf, 0xff, 0xe0, 0x80]),
      Buffer.from('\ufeffplain ascii, é, 😀, 中文', 'utf8'),
    ];
    let seed = 7;
    for (let k = 0; k < 200; k++) {
      const b = Buffer.alloc(1 + (k % 40));
      for (let i = 0; i < b.length; i++) b[i] = (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 256;
      samples.push(b);
    }
    for (const bytes of samples) {
      const { text, offsets } = decodeWithOffsets(bytes);
      expect(text).toBe(bytes.toString('utf8'));
      expect(offsets[text.length]).toBe(bytes.length);
      // Splicing the unchanged text gives back the same bytes.
      expect(spliceBytes(bytes, text)).toEqual(bytes);
    }
  });
});
