/**
 * `serve --open` without the token on a command line. Opening `http://127.0.0.1:PORT/?token=…`
 * put the token in the argv of xdg-open and of the browser, which every local user can read in
 * `ps`. Like Jupyter (its `jpserver-<pid>-open.html`), the host writes a small redirect page to a
 * file only this user can read (a fresh 0700 folder, the file 0600) and the browser is given the
 * file's path; the page sends the browser on to the URL with the token. The file is removed when
 * the host stops.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export interface LaunchPage {
  /** The page's file:// URL: what is passed to the browser (no token in it). */
  url: string;
  file: string;
  remove(): void;
}

const attribute = (text: string) => text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
// JSON in a <script>: `<` escaped so no `</script>` can end it early.
const scriptString = (text: string) => JSON.stringify(text).replace(/</g, '\\u003c');

export function launchPageHtml(target: string): string {
  return [
    '<!DOCTYPE html>',
    '<html><head><meta charset="utf-8">',
    `<meta http-equiv="refresh" content="1;url=${attribute(target)}">`,
    '<title>Opening the Stepwise workbench…</title></head>',
    `<body><p>Opening the Stepwise workbench… <a href="${attribute(target)}">Open it</a> if nothing happens.</p>`,
    `<script>location.replace(${scriptString(target)});</script></body></html>`,
    '',
  ].join('\n');
}

/** Writes the redirect page to `target` into a folder only this user can read. */
export function writeLaunchPage(target: string, parent: string = tmpdir()): LaunchPage {
  const dir = mkdtempSync(path.join(parent, 'stepwise-open-'));
  const file = path.join(dir, 'open.html');
  writeFileSync(file, launchPageHtml(target), { mode: 0o600, flag: 'wx' });
  return { url: pathToFileURL(file).href, file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
