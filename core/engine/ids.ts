/**
 * Record ids: UUIDv7 (RFC 9562) — 48 bits of milliseconds, then 74 random bits. Time-ordered ids
 * make SQLite's id indexes (tasks, and the task_id indexes of transitions, events and attempts)
 * grow at their right edge instead of touching a random page per insert, which is most of the
 * pages a commit writes besides the rows themselves. They stay unguessable and unique across
 * processes like randomUUID. The time comes from the engine's clock (a test's ManualClock gives
 * ids that share a prefix, which is fine: the random part keeps them apart).
 */
import { randomFillSync } from 'node:crypto';

const POOL_SIZE = 16 * 256;
const pool = Buffer.alloc(POOL_SIZE);
let offset = POOL_SIZE;

const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
/** The id's text, written byte by byte: dashes at 8, 13, 18 and 23. */
const text = Buffer.from('00000000-0000-0000-0000-000000000000', 'latin1');
/** Where byte i of the id goes in `text`. */
const AT = Array.from({ length: 16 }, (_, i) => i * 2 + (i >= 4 ? 1 : 0) + (i >= 6 ? 1 : 0) + (i >= 8 ? 1 : 0) + (i >= 10 ? 1 : 0));

export function timeOrderedId(nowMs: number): string {
  if (offset + 16 > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  const b = pool.subarray(offset, offset + 16);
  offset += 16;
  // A clock before 1970 or past year 10889 is a bug elsewhere; clamp rather than emit garbage.
  const ms = Math.min(Math.max(Math.floor(nowMs), 0), 2 ** 48 - 1);
  const high = Math.floor(ms / 2 ** 16);
  b[0] = (high >>> 24) & 0xff;
  b[1] = (high >>> 16) & 0xff;
  b[2] = (high >>> 8) & 0xff;
  b[3] = high & 0xff;
  b[4] = (ms >>> 8) & 0xff;
  b[5] = ms & 0xff;
  b[6] = 0x70 | (b[6]! & 0x0f); // version 7
  b[8] = 0x80 | (b[8]! & 0x3f); // RFC 9562 variant
  // One flat string, not 20 concatenations: `s += part` builds a tree of cons strings (~0.6 KB
  // for one id) that stays as it is wherever the id is kept — in every record that names it.
  for (let i = 0; i < 16; i++) {
    text[AT[i]!] = HEX_DIGITS[b[i]! >>> 4]!;
    text[AT[i]! + 1] = HEX_DIGITS[b[i]! & 0x0f]!;
  }
  return text.toString('latin1', 0, 36);
}
