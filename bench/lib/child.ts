/** Runs one benchmark file in its own Node process and reads the JSON it prints. */
import { spawn } from 'node:child_process';

export interface ChildResult {
  ok: boolean;
  json: Record<string, unknown> | null;
  error: string | null;
  ms: number;
}

export function runBenchFile(file: string, args: readonly string[], timeoutMs: number): Promise<ChildResult> {
  const start = performance.now();
  return new Promise((resolve) => {
    // TypeScript through tsx; compiled JavaScript (./compiled.ts) as it is.
    const child = spawn(process.execPath, [...(file.endsWith('.ts') ? ['--import', 'tsx'] : []), file, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b) => (out += String(b)));
    child.stderr.on('data', (b) => (err += String(b)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    // A benchmark interrupted with the runner must not keep running (or keep its Redis).
    const killOnExit = () => child.kill('SIGTERM');
    process.on('exit', killOnExit);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      process.off('exit', killOnExit);
      const ms = performance.now() - start;
      // The JSON document is the stdout from the first line that opens an object.
      const at = out.search(/^\{/m);
      let json: Record<string, unknown> | null = null;
      try {
        json = at >= 0 ? (JSON.parse(out.slice(at)) as Record<string, unknown>) : null;
      } catch {
        json = null;
      }
      if (code === 0 && json) resolve({ ok: true, json, error: null, ms });
      else {
        const why = signal ? `killed by ${signal}${signal === 'SIGKILL' ? ` (over ${timeoutMs / 1000}s?)` : ''}` : `exit code ${code}`;
        const tail = (err.trim() || out.trim()).split('\n').slice(-8).join('\n');
        resolve({ ok: false, json, error: `${why}: ${tail}`, ms });
      }
    });
  });
}
