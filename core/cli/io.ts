/**
 * Where CLI output goes. Commands never write to process.stdout directly, so tests can run the
 * CLI in-process and read what it printed.
 */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  isTTY: boolean;
  /**
   * The terminal itself, when output goes to one: live views redraw on it (with log-update, which
   * reads its width and height, so a line wider than the terminal does not break the redraw).
   */
  terminal?: Terminal;
  /** Reads one line from the terminal (confirmation prompts); null when there is no terminal. */
  prompt?(question: string): Promise<string | null>;
}

/** What log-update needs of a terminal stream (process.stdout is one). */
export interface Terminal {
  write(text: string): unknown;
  columns?: number;
  rows?: number;
  isTTY?: boolean;
}

export const processIO: CliIO = {
  out: (text) => void process.stdout.write(text.endsWith('\n') ? text : text + '\n'),
  err: (text) => void process.stderr.write(text.endsWith('\n') ? text : text + '\n'),
  isTTY: Boolean(process.stdout.isTTY),
  ...(process.stdout.isTTY ? { terminal: process.stdout } : {}),
};

export function printJson(io: CliIO, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}
