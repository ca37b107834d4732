/**
 * Rendering new values as YAML text. New collections are written in flow style on one line
 * (`{ max_attempts: 3 }`, `[a, b]`), like the examples, with the bracket padding the file already
 * uses; scalars are quoted only when YAML needs it (the `yaml` package decides).
 */
import { Scalar, stringify } from 'yaml';
import { TemplateEditError } from './errors.js';

export interface FlowStyle {
  /** `{ a: 1 }` rather than `{a: 1}`. */
  padMaps: boolean;
  /** `[ a ]` rather than `[a]`. */
  padSeqs: boolean;
}

export const DEFAULT_FLOW_STYLE: FlowStyle = { padMaps: true, padSeqs: false };

/** The padding most of the file's own flow collections use (ties: the default). */
export function detectFlowStyle(text: string): FlowStyle {
  // Blank out quoted strings and comments: enough to see how brackets are padded.
  const code = text.replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\n]|'')*'|#[^\n]*/g, '""');
  const vote = (re: RegExp, fallback: boolean): boolean => {
    let padded = 0;
    let tight = 0;
    for (const m of code.matchAll(re)) {
      if (m[1] === ' ') padded++;
      else tight++;
    }
    return padded === tight ? fallback : padded > tight;
  };
  return { padMaps: vote(/\{( ?)[^\s}]/g, DEFAULT_FLOW_STYLE.padMaps), padSeqs: vote(/\[( ?)[^\s\]]/g, DEFAULT_FLOW_STYLE.padSeqs) };
}

/** `context`: a scalar inside a flow collection must also quote `,[]{}`. */
export function renderScalar(value: unknown, context: 'block' | 'flow' = 'block', like?: Scalar.Type): string {
  if (value === null) return 'null';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TemplateEditError('BAD_VALUE', `${value} cannot be written to a template: use a finite number.`);
    return String(value);
  }
  if (typeof value === 'boolean') return String(value);
  if (typeof value !== 'string') throw new TemplateEditError('BAD_VALUE', `Expected a scalar, got ${JSON.stringify(value)}.`);
  // Keep the quoting the replaced value used, when it can hold the new one.
  if (like === Scalar.QUOTE_DOUBLE || value.includes('\n')) return JSON.stringify(value);
  if (like === Scalar.QUOTE_SINGLE) return `'${value.replace(/'/g, "''")}'`;
  const text = context === 'flow' ? stringify([value], { collectionStyle: 'flow', flowCollectionPadding: false, lineWidth: 0 }).trim().slice(1, -1) : stringify(value, { lineWidth: 0 }).trimEnd();
  if (text.includes('\n')) return JSON.stringify(value);
  return text;
}

/** Any JSON-like value as one line of flow YAML. */
export function renderFlow(value: unknown, style: FlowStyle, context: 'block' | 'flow' = 'block'): string {
  if (Array.isArray(value)) {
    const items = value.filter((v) => v !== undefined).map((v) => renderFlow(v, style, 'flow'));
    if (items.length === 0) return '[]';
    return style.padSeqs ? `[ ${items.join(', ')} ]` : `[${items.join(', ')}]`;
  }
  if (typeof value === 'object' && value !== null) {
    if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) {
      throw new TemplateEditError('BAD_VALUE', `Only plain JSON values can be written to a template, got ${Object.prototype.toString.call(value)}.`);
    }
    const pairs = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${renderScalar(k, 'flow')}: ${renderFlow(v, style, 'flow')}`);
    if (pairs.length === 0) return '{}';
    return style.padMaps ? `{ ${pairs.join(', ')} }` : `{${pairs.join(', ')}}`;
  }
  return renderScalar(value, context);
}
