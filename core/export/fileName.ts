/**
 * The file name an exported graph is saved under, the same from the host's export route and the
 * desktop app's Export menu. Pure: the renderer and the Electron main process import it.
 */
export type ExportFileFormat = 'dot' | 'svg' | 'mermaid' | 'json' | 'png';

const EXTENSION: Record<ExportFileFormat, string> = { dot: 'dot', svg: 'svg', mermaid: 'mmd', json: 'json', png: 'png' };

/**
 * `namespace_name_1.0.0.dot` for a template, `…-<first 8 of the task id>.dot` for a task's
 * runtime graph. Anything but letters, digits, `.`, `_` and `-` becomes `_` (no path separators).
 */
export function exportFileName(graph: { id: string; taskId?: string | undefined }, format: ExportFileFormat): string {
  const base = graph.id.replace(/[^\w.-]+/g, '_');
  return `${graph.taskId ? `${base}-${graph.taskId.slice(0, 8).replace(/[^\w.-]+/g, '_')}` : base}.${EXTENSION[format]}`;
}
