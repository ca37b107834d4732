/**
 * Where CLI output goes. Commands never write to process.stdout directly, so tests can run the
 * CLI in-process and read what it printed.
 */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  isTTY: boolean;
  /** Reads one line from the terminal (confirmation prompts); null when there is no terminal. */
  prompt?(question: string): Promise<string | null>;
}

export const processIO: CliIO = {
  out: (text) => void process.stdout.write(text.endsWith('\n') ? text : text + '\n'),
  err: (text) => void process.stderr.write(text.endsWith('\n') ? text : text + '\n'),
  isTTY: Boolean(process.stdout.isTTY),
};

export function printJson(io: CliIO, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}
