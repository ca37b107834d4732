/** A reason to rebuild out/ (for the log), or null when it is newer than every source. */
export function staleBuildReason(root: string): string | null;
