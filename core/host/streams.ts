/**
 * Turns the host's callback-style feeds into async iterables for tRPC subscriptions. Each
 * iterable starts listening before it returns, buffers what arrives while the consumer is busy
 * (so nothing is lost between two yields) and stops its feed when the signal aborts.
 */
import { EventEmitter, on } from 'node:events';

export async function* fromFeed<T>(
  start: (push: (item: T) => void) => () => void,
  signal: AbortSignal | undefined,
): AsyncGenerator<T, void, unknown> {
  const emitter = new EventEmitter();
  const controller = new AbortController();
  const abort = () => controller.abort();
  signal?.addEventListener('abort', abort, { once: true });
  // `on` must be listening before the feed starts so the first items are buffered, not dropped.
  const items = on(emitter, 'item', { signal: controller.signal });
  const stop = start((item) => emitter.emit('item', item));
  try {
    for await (const [item] of items) yield item as T;
  } catch (err) {
    if (!controller.signal.aborted) throw err;
  } finally {
    stop();
    signal?.removeEventListener('abort', abort);
    controller.abort();
  }
}
