/**
 * How large the values Stepwise stores may be. Every value a task carries is written to the
 * database and sent to every workbench that watches it: without bounds, one handler throwing a
 * 20 MB message (or returning 50 MB) fills the database and stalls the host that draws it.
 * Configurable per engine (`createEngine({ limits })`) and per workspace (`limits:` in the config).
 */
export interface Limits {
  /** A task's input, as JSON (workflow input, flow attributes at start): refused above. */
  inputBytes: number;
  /** An interaction's params, as JSON: refused above. */
  paramsBytes: number;
  /** A handler's return value (step results, flow data after a handler), as JSON: the attempt fails above. */
  resultBytes: number;
  /** A failure's message, stack and details: cut above, saying how large they were. */
  errorMessageChars: number;
  errorStackChars: number;
  errorDetailsBytes: number;
  /** One log line's message and fields: cut above. */
  logLineChars: number;
  /** All log lines of one attempt: lines after these are counted, not kept. */
  attemptLogLines: number;
  attemptLogBytes: number;
}

const KiB = 1024;
const MiB = 1024 * KiB;

/** Like Temporal's 2 MB payload limit: generous for data, small enough to draw and ship. */
export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  inputBytes: 2 * MiB,
  paramsBytes: 2 * MiB,
  resultBytes: 2 * MiB,
  errorMessageChars: 16 * KiB,
  errorStackChars: 16 * KiB,
  errorDetailsBytes: 16 * KiB,
  logLineChars: 8 * KiB,
  attemptLogLines: 1000,
  attemptLogBytes: 256 * KiB,
});

export const LIMIT_NAMES = Object.keys(DEFAULT_LIMITS) as ReadonlyArray<keyof Limits>;

/** The defaults with `overrides` applied (positive integers only; anything else keeps the default). */
export function resolveLimits(overrides: Partial<Limits> = {}): Limits {
  const out = { ...DEFAULT_LIMITS };
  for (const key of LIMIT_NAMES) {
    const v = overrides[key];
    if (typeof v === 'number' && Number.isSafeInteger(v) && v > 0) out[key] = v;
  }
  return out;
}

/** `1.5 MiB`, `12,345 bytes`: sizes in messages. */
export function formatSize(bytes: number): string {
  if (bytes >= MiB) return `${(bytes / MiB).toFixed(1)} MiB`;
  if (bytes >= 10 * KiB) return `${(bytes / KiB).toFixed(0)} KiB`;
  return `${bytes.toLocaleString('en-US')} bytes`;
}
