/**
 * Which URLs the desktop window may navigate to: only pages of the host it started. Origins are
 * compared exactly (scheme, host and port): a prefix check would let `http://127.0.0.1:1234.evil`
 * or `http://127.0.0.1:12345` through for a host on `http://127.0.0.1:1234`.
 * No `electron` import, so it is tested without Electron.
 */

/** The URL's origin, or null when it is not an absolute URL. */
function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/** True when `url` is on exactly the origin of `hostUrl` (the host's base URL). */
export function isHostUrl(url: string, hostUrl: string | null | undefined): boolean {
  if (!hostUrl) return false;
  const origin = originOf(url);
  // `new URL('file:///x').origin` is the string 'null': never a match.
  return origin !== null && origin !== 'null' && origin === originOf(hostUrl);
}
