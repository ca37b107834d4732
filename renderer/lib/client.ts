/**
 * The page's one connection to the host: a tRPC client over a single WebSocket that presents
 * the launch token, reconnects by itself (with backoff) when the host goes away, and resumes
 * event subscriptions from the last event it saw.
 */
import { createTRPCClient, createWSClient, wsLink, type TRPCClient } from '@trpc/client';
import type { AppRouter } from '../../core/host/protocol.js';

export type Client = TRPCClient<AppRouter>;
export type ConnectionStatus = 'connecting' | 'open' | 'reconnecting';

/** The token the host printed, from `?token=` (kept for this tab in sessionStorage). */
export function readToken(): string | null {
  const fromUrl = new URLSearchParams(window.location.search).get('token');
  if (fromUrl) {
    sessionStorage.setItem('stepwise.token', fromUrl);
    return fromUrl;
  }
  return sessionStorage.getItem('stepwise.token');
}

type Listener = () => void;

/** A tiny observable value, read by React through useSyncExternalStore. */
export class Store<T> {
  private listeners = new Set<Listener>();
  constructor(private value: T) {}
  get = (): T => this.value;
  set(value: T): void {
    if (Object.is(value, this.value)) return;
    this.value = value;
    for (const l of this.listeners) l();
  }
  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
}

export const connection = new Store<ConnectionStatus>('connecting');
/** Bumped after every reconnect: views refetch what they show. */
export const reconnects = new Store<number>(0);

export function createClient(token: string): Client {
  let opened = false;
  const wsClient = createWSClient({
    url: `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/trpc?token=${encodeURIComponent(token)}`,
    retryDelayMs: (attempt) => Math.min(250 * 2 ** attempt, 5_000),
    // keepAlive only catches a host that hangs silently (a closed socket is seen at once). The
    // pong is read on the page's main thread, so a long render or layout on a loaded machine
    // delays it: 5 s made the page flash "Reconnecting…" while merely busy. 15 s tolerates
    // that. Pinging after 5 s of silence gives up on a hung host ~20 s after it went quiet
    // (the browser then still runs its closing handshake timeout before reporting the close).
    keepAlive: { enabled: true, intervalMs: 5_000, pongTimeoutMs: 15_000 },
    onOpen: () => {
      connection.set('open');
      if (opened) reconnects.set(reconnects.get() + 1);
      opened = true;
    },
    onClose: () => connection.set(opened ? 'reconnecting' : 'connecting'),
  });
  return createTRPCClient<AppRouter>({ links: [wsLink({ client: wsClient })] });
}
