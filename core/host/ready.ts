/**
 * The one line a host prints on stdout when it accepts connections. The Electron main process
 * and the e2e setup read it to learn the port and token; people read the URL.
 * Pure and dependency-free so main/ can import it without pulling in the host.
 */
export const READY_PREFIX = 'STEPWISE_READY ';

export interface ReadyInfo {
  /** Base URL of the host, e.g. `http://127.0.0.1:43121`. */
  url: string;
  port: number;
  token: string;
  /** The page to open: the base URL with the token. */
  openUrl: string;
  workspace: string;
  database: string;
  pid: number;
}

export function formatReadyLine(info: ReadyInfo): string {
  return READY_PREFIX + JSON.stringify(info);
}

/** Returns the ready info when `line` is a ready line, else null (other output is ignored). */
export function parseReadyLine(line: string): ReadyInfo | null {
  const trimmed = line.trim();
  if (!trimmed.startsWith(READY_PREFIX)) return null;
  try {
    const value = JSON.parse(trimmed.slice(READY_PREFIX.length)) as Partial<ReadyInfo>;
    if (typeof value.url !== 'string' || typeof value.port !== 'number' || typeof value.token !== 'string') return null;
    return value as ReadyInfo;
  } catch {
    return null;
  }
}

export function pageUrl(baseUrl: string, token: string): string {
  return `${baseUrl}/?token=${encodeURIComponent(token)}`;
}
