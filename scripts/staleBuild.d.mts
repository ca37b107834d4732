/** Where a successful build records the hash of its inputs (relative to the repository). */
export const BUILD_MARKER: string;
/** sha256 over every input file's path and content. */
export function inputsHash(root: string): string;
/** A reason to rebuild out/ (for the log), or null when it holds a successful build of the current inputs. */
export function staleBuildReason(root: string): string | null;
/** Runs the build (`electron-vite build` unless `command`) and records the inputs' hash only when it succeeded; returns the exit status. */
export function buildWorkbench(root: string, options?: { stdio?: 'inherit' | 'ignore' | 'pipe' | Array<unknown>; command?: string[] }): number;
