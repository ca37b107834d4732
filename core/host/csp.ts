/**
 * The workbench page's Content-Security-Policy. Dependency-free so the Electron main process
 * (which enforces it again as defence in depth) and the host's static server share one policy.
 */

/** Scripts and workers only from this origin; WebSockets only to the host's loopback port. */
export function contentSecurityPolicy(port: number): string {
  return [
    "default-src 'self'",
    // Ajv (the Start task form's JSON Schema validator) compiles each schema with new Function();
    // scripts still load only from this origin.
    "script-src 'self' 'unsafe-eval'",
    "worker-src 'self' blob:",
    // React Flow positions nodes with inline style attributes.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** For a response that arrives while no host is known: nothing may load or run. */
export const LOCKED_DOWN_POLICY = "default-src 'none'; frame-ancestors 'none'";
