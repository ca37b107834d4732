/**
 * Reading a template for editing and saving it back. A save names what it expects on disk (the
 * hash of the text it read, or its modification time) and is refused with STALE when the file
 * changed since: another editor, a git checkout, the user in their IDE. The write is atomic: a
 * hidden temporary file next to the target, then a rename, so a crash never leaves half a file
 * and the workspace watcher never sees a partial template. The write is byte-exact: only the
 * range the edit changed is rewritten (./bytes.ts), so bytes that are not UTF-8 elsewhere in
 * the file (a Latin-1 comment) survive, and the stale check hashes the file's bytes.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmod, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { StaleError, StepwiseError } from '../../model/errors.js';
import { spliceBytes } from './bytes.js';

export interface TemplateSnapshot {
  file: string;
  /** The file decoded as UTF-8 (U+FFFD for bytes that are not). */
  text: string;
  /** sha256 of the file's bytes, hex (of the text's UTF-8 when the file is all UTF-8). */
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

export function hashBytes(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function readTemplateForEdit(file: string): Promise<TemplateSnapshot> {
  const path = resolve(file);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new StepwiseError('NOT_FOUND', `Cannot read the template ${path}: ${(err as Error).message}.`, { file: path });
  }
  const { mtimeMs } = await stat(path);
  return { file: path, text: bytes.toString('utf8'), hash: hashBytes(bytes), mtimeMs };
}

export async function saveTemplate(file: string, text: string, expect: SaveExpectation): Promise<TemplateSnapshot> {
  const path = resolve(file);
  if (expect.expectedHash === undefined && expect.expectedMtimeMs === undefined && !expect.create) {
    throw new StepwiseError('USAGE', 'saveTemplate needs expectedHash or expectedMtimeMs (from readTemplateForEdit), or create: true for a new file, so it never overwrites a change it has not seen.');
  }
  const current = await stat(path).catch(() => null);
  let onDisk: Buffer | null = null;
  if (expect.create) {
    if (current) throw new StaleError(`${path} already exists; read it and edit it instead of creating it.`, { file: path });
  } else {
    if (!current) throw new StaleError(`${path} was deleted since it was read; save it as a new file (create: true) if that is what you want.`, { file: path });
    onDisk = await readFile(path);
    const actualHash = hashBytes(onDisk);
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
  // Only the edited range is rewritten: the rest is copied from the file as it is on disk.
  const bytes = onDisk ? spliceBytes(onDisk, text) : Buffer.from(text, 'utf8');
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(temp, bytes, { flag: 'wx' });
    if (current) await chmod(temp, current.mode & 0o7777);
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw new StepwiseError('STORAGE_ERROR', `Cannot write ${path}: ${(err as Error).message}. Check that its folder exists and is writable.`, { file: path });
  }
  const { mtimeMs } = await stat(path);
  return { file: path, text, hash: hashBytes(bytes), mtimeMs };
}
