/** main/navigation.ts: the desktop window only navigates to the exact origin of its host. */
import { describe, expect, it } from 'vitest';
import { isHostUrl } from '../../main/navigation.js';

const HOST = 'http://127.0.0.1:1234';

describe('isHostUrl', () => {
  it('accepts pages of the host, with any path, query or hash', () => {
    expect(isHostUrl('http://127.0.0.1:1234/', HOST)).toBe(true);
    expect(isHostUrl('http://127.0.0.1:1234/?token=abc#/template/x', HOST)).toBe(true);
    expect(isHostUrl('http://127.0.0.1:1234', `${HOST}/`)).toBe(true);
  });

  it('refuses look-alikes a prefix check lets through', () => {
    expect(isHostUrl('http://127.0.0.1:1234.evil.example/', HOST)).toBe(false);
    expect(isHostUrl('http://127.0.0.1:12345/', HOST)).toBe(false);
    expect(isHostUrl('http://127.0.0.1:1234@evil.example/', HOST)).toBe(false);
  });

  it('refuses another scheme, host or port, non-URLs and an unknown host', () => {
    expect(isHostUrl('https://127.0.0.1:1234/', HOST)).toBe(false);
    expect(isHostUrl('http://localhost:1234/', HOST)).toBe(false);
    expect(isHostUrl('http://127.0.0.1:1235/', HOST)).toBe(false);
    expect(isHostUrl('file:///etc/passwd', HOST)).toBe(false);
    expect(isHostUrl('not a url', HOST)).toBe(false);
    expect(isHostUrl('http://127.0.0.1:1234/', null)).toBe(false);
    expect(isHostUrl('http://127.0.0.1:1234/', undefined)).toBe(false);
    expect(isHostUrl('file:///a', 'file:///b')).toBe(false);
  });
});
