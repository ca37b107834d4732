/**
 * Reading a template for editing and saving it back. A save names what it expects on disk (the
 * hash of the text it read, or its modification time) and is refused with STALE when the file
 * changed since: another editor, a git checkout, the user in their IDE. The write is atomic: a
 * hidden temporary file next to the target, then a rename, so a crash never leaves half a file
 * and the workspace watcher never sees a partial template.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmod, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { StaleError, StepwiseError } from '../../model/errors.js';

export interface TemplateSnapshot {
  file: string;
  text: string;
  /** sha256 of the text, hex. */
  hash: string;
  mtimeMs: number;
}

/** What the caller read; at least one is required (or `create` for a new file). */
export interface SaveExpectation {
  expectedHash?: string;
  expectedMtimeMs?: number;
  /** The file must not exist yet. */
  create?: boolean;
}

export function hashText(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export async function readTemplateForEdit(file: string): Promise<TemplateSnapshot> {
  const path = resolve(file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new StepwiseError('NOT_FOUND', `Cannot read the template ${path}: ${(err as Error).message}.`, { file: path });
  }
  const { mtimeMs } = await stat(path);
  return { file: path, text, hash: hashText(text), mtimeMs };
}

export async function saveTemplate(file: string, text: string, expect: SaveExpectation): Promise<TemplateSnapshot> {
  const path = resolve(file);
  if (expect.expectedHash === undefined && expect.expectedMtimeMs === undefined && !expect.create) {
    throw new StepwiseError('USAGE', 'saveTemplate needs expectedHash or expectedMtimeMs (from readTemplateForEdit), or create: true for a new file, so it never overwrites a change it has not seen.');
  }
  const current = await stat(path).catch(() => null);
  if (expect.create) {
    if (current) throw new StaleError(`${path} already exists; read it and edit it instead of creating it.`, { file: path });
  } else {
    if (!current) throw new StaleError(`${path} was deleted since it was read; save it as a new file (create: true) if that is what you want.`, { file: path });
    const onDisk = await readFile(path, 'utf8');
    const actualHash = hashText(onDisk);
    const changed = (expect.expectedHash !== undefined && expect.expectedHash !== actualHash) || (expect.expectedMtimeMs !== undefined && expect.expectedMtimeMs !== current.mtimeMs);
    if (changed) {
      throw new StaleError(`${path} changed on disk since it was read; reload it (your edits are kept in the editor) and apply them again.`, {
        file: path,
        expectedHash: expect.expectedHash ?? null,
        actualHash,
        expectedMtimeMs: expect.expectedMtimeMs ?? null,
        actualMtimeMs: current.mtimeMs,
      });
    }
  }
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(temp, text, { encoding: 'utf8', flag: 'wx' });
    if (current) await chmod(temp, current.mode & 0o7777);
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw new StepwiseError('STORAGE_ERROR', `Cannot write ${path}: ${(err as Error).message}. Check that its folder exists and is writable.`, { file: path });
  }
  const { mtimeMs } = await stat(path);
  return { file: path, text, hash: hashText(text), mtimeMs };
}
