/** UI state that survives a reload (panel sizes, open tabs), kept in localStorage under `stepwise.`. */
import { useCallback, useState } from 'react';

const PREFIX = 'stepwise.';

export function readPersisted<T>(key: string, fallback: T, valid: (v: unknown) => v is T): T {
  try {
    const raw = localStorage.getItem(PREFIX + key);
    if (raw === null) return fallback;
    const value = JSON.parse(raw) as unknown;
    return valid(value) ? value : fallback;
  } catch {
    return fallback;
  }
}

export function writePersisted(key: string, value: unknown): void {
  try {
    localStorage.setItem(PREFIX + key, JSON.stringify(value));
  } catch {
    // Storage full or disabled: the value just does not survive the reload.
  }
}

export function usePersistent<T>(key: string, fallback: T, valid: (v: unknown) => v is T): [T, (v: T) => void] {
  const [value, setValue] = useState<T>(() => readPersisted(key, fallback, valid));
  const set = useCallback(
    (v: T) => {
      writePersisted(key, v);
      setValue(v);
    },
    [key],
  );
  return [value, set];
}

export const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
export const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';
export const oneOf =
  <T extends string>(...values: T[]) =>
  (v: unknown): v is T =>
    typeof v === 'string' && (values as string[]).includes(v);
