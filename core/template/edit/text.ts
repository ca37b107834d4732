/**
 * Text splicing for template edits. An edit never re-serialises the document: it replaces only
 * the characters of the nodes it changes, so comments, blank lines, quoting, alignment and the
 * order of everything else stay byte for byte as the user wrote them.
 */
import { StepwiseError } from '../../model/errors.js';

export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

/** Applies non-overlapping edits (any order). Overlaps are a bug in the caller: they throw. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  let limit = Number.POSITIVE_INFINITY;
  for (const e of sorted) {
    if (e.end > limit || e.start > e.end) {
      throw new StepwiseError('TEMPLATE_INVALID', 'Internal error: two changes of one template edit overlap; the file was not changed. Please report this with the template.', { edits: sorted });
    }
    out = out.slice(0, e.start) + e.text + out.slice(e.end);
    limit = e.start;
  }
  return out;
}

/** Offset of the first character of the line holding `offset`. */
export function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** Offset just past the newline ending the line holding `offset` (or the end of the text). */
export function lineEnd(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  return nl < 0 ? text.length : nl + 1;
}

export function column(text: string, offset: number): number {
  return offset - lineStart(text, offset);
}

/** Moves back over whitespace (spaces, tabs, newlines) ending before `end`. */
export function trimBack(text: string, end: number): number {
  let i = end;
  while (i > 0 && /\s/.test(text[i - 1]!)) i--;
  return i;
}

/** True when only spaces (and the `-` of a sequence item) precede `offset` on its line. */
export function startsLine(text: string, offset: number): boolean {
  return /^[ \t]*$/.test(text.slice(lineStart(text, offset), offset));
}

/**
 * Comment lines directly above the line at `start` (no blank line between) indented exactly like
 * it: they describe the item, so they go with it when it is removed. Returns the new start.
 */
export function withCommentsAbove(text: string, start: number): number {
  const indent = column(text, firstNonSpace(text, start));
  let begin = start;
  while (begin > 0) {
    const prev = lineStart(text, begin - 1);
    const line = text.slice(prev, begin - 1);
    const trimmed = line.trimStart();
    if (!trimmed.startsWith('#') || line.length - trimmed.length !== indent) break;
    begin = prev;
  }
  return begin;
}

function firstNonSpace(text: string, from: number): number {
  let i = from;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  return i;
}

/** The file's line ending: new lines are written with it. */
export function eolOf(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

/** Inserts whole lines at a line boundary `at`, even at the end of a file without a final newline. */
export function insertLines(text: string, at: number, lines: string[]): TextEdit {
  const eol = eolOf(text);
  const body = lines.join(eol);
  if (at >= text.length && !text.endsWith('\n')) return { start: text.length, end: text.length, text: `${eol}${body}` };
  return { start: at, end: at, text: `${body}${eol}` };
}
