/**
 * Byte-exact saving of an edited template. The editor works on text, decoded from the file's
 * bytes as UTF-8 with U+FFFD for bytes that are not UTF-8 (an ISO-8859-1 `é` in a comment);
 * writing that text back whole would turn those bytes into U+FFFD for good. Instead a save
 * rewrites only the bytes of the range the edit changed: everything before the first changed
 * character and after the last one is copied from the file as it was, byte for byte.
 */

/**
 * The file's text as the editor sees it (WHATWG UTF-8 decoding: each maximal invalid subpart is
 * one U+FFFD, as Buffer#toString and TextDecoder do, BOM kept) and, for each UTF-16 code unit
 * boundary of that text, the byte offset it starts at (-1 inside a surrogate pair).
 */
export function decodeWithOffsets(bytes: Uint8Array): { text: string; offsets: Int32Array } {
  const units: number[] = [];
  const offsets: number[] = [];
  const push = (code: number, at: number) => {
    if (code > 0xffff) {
      const c = code - 0x10000;
      units.push(0xd800 + (c >> 10), 0xdc00 + (c & 0x3ff));
      offsets.push(at, -1);
    } else {
      units.push(code);
      offsets.push(at);
    }
  };
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const start = i;
    const b = bytes[i]!;
    i += 1;
    if (b < 0x80) {
      push(b, start);
      continue;
    }
    let need: number;
    let code: number;
    let lower = 0x80;
    let upper = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) [need, code] = [1, b & 0x1f];
    else if (b >= 0xe0 && b <= 0xef) {
      [need, code] = [2, b & 0x0f];
      if (b === 0xe0) lower = 0xa0;
      if (b === 0xed) upper = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      [need, code] = [3, b & 0x07];
      if (b === 0xf0) lower = 0x90;
      if (b === 0xf4) upper = 0x8f;
    } else {
      push(0xfffd, start);
      continue;
    }
    let ok = true;
    while (need > 0) {
      const c = bytes[i];
      if (c === undefined || c < lower || c > upper) {
        ok = false;
        break;
      }
      code = (code << 6) | (c & 0x3f);
      lower = 0x80;
      upper = 0xbf;
      i += 1;
      need -= 1;
    }
    push(ok ? code : 0xfffd, start);
  }
  offsets.push(n);
  let text = '';
  for (let k = 0; k < units.length; k += 8192) text += String.fromCharCode(...units.slice(k, k + 8192));
  return { text, offsets: Int32Array.from(offsets) };
}

/**
 * The new file bytes for `next`, given the file's current bytes: the common prefix and suffix of
 * the old and new texts are copied as they were on disk, only the middle is encoded anew.
 */
export function spliceBytes(original: Uint8Array, next: string): Buffer {
  const { text: old, offsets } = decodeWithOffsets(original);
  const max = Math.min(old.length, next.length);
  let p = 0;
  while (p < max && old.charCodeAt(p) === next.charCodeAt(p)) p += 1;
  let s = 0;
  while (s < max - p && old.charCodeAt(old.length - 1 - s) === next.charCodeAt(next.length - 1 - s)) s += 1;
  // Never cut inside a surrogate pair: move the cuts out to character boundaries.
  while (p > 0 && offsets[p] === -1) p -= 1;
  while (s > 0 && offsets[old.length - s] === -1) s -= 1;
  const head = Buffer.from(original.subarray(0, offsets[p]!));
  const tail = Buffer.from(original.subarray(offsets[old.length - s]!));
  const out = Buffer.concat([head, Buffer.from(next.slice(p, next.length - s), 'utf8'), tail]);
  // The splice must read back as the editor's text; where it would not (an invalid sequence
  // completed by the new bytes next to it), the edit touched those bytes: write the text whole.
  return out.toString('utf8') === next ? out : Buffer.from(next, 'utf8');
}
