/** The identity fields every YAML template shares: name, namespace, version, description. */
import type { SourceLocation, TemplateBase } from '../model/template.js';
import type { MapReader } from './mapReader.js';

export const DEFAULT_NAMESPACE = 'default';
export const DEFAULT_VERSION = '0.0.0';

export type TemplateHeader = Omit<TemplateBase, 'inlineHandlers'> & { fieldLocs: Record<string, SourceLocation> };

/** `fallbackName` (the file's base name) keeps a nameless template usable while its problem is reported. */
export function readHeader(r: MapReader, fallbackName: string): TemplateHeader {
  const fieldLocs: Record<string, SourceLocation> = {};
  const name = r.string('name');
  if (name === undefined && !r.has('name')) r.missing('name', 'the template has no name', 'add `name: <template name>`');
  const nsKey = r.pick('namespace', 'namespace_name');
  const namespace = nsKey ? r.string(nsKey) : undefined;
  const version = r.text('version');
  const header: TemplateHeader = {
    namespace: namespace ?? DEFAULT_NAMESPACE,
    name: name ?? fallbackName,
    version: version ?? DEFAULT_VERSION,
    source: { kind: 'yaml', file: r.ctx.file },
    loc: r.node.loc,
    fieldLocs,
  };
  for (const [field, key] of [['name', 'name'], ['namespace', nsKey], ['version', 'version']] as const) {
    if (key && r.has(key)) fieldLocs[field] = r.loc(key);
  }
  const description = r.string('description');
  if (description !== undefined) header.description = description;
  const deleteAfter = r.duration('delete_after');
  if (deleteAfter !== undefined) {
    header.deleteAfterMs = deleteAfter;
    fieldLocs.deleteAfterMs = r.loc('delete_after');
  }
  r.ctx.template = `${header.namespace}/${header.name}@${header.version}`;
  return header;
}
