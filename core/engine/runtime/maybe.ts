/**
 * Values now or later. A flow's pure steps on storage that does no I/O (memory) have nothing to
 * wait for, yet written with async functions every phase cost a promise, a microtask and — once
 * the handler guards' AsyncLocalStorage is on — its async-context hooks (about 180 promises per
 * registration flow). Code written against `Maybe` stays synchronous while what it calls answers
 * synchronously, and becomes asynchronous only from the first promise on.
 *
 * `drive` runs a generator that waits with `const v = yield* wait(x)` (the generator's `await`):
 * synchronously while what it waits for are plain values, asynchronously from the first promise
 * (a rejected promise is thrown into the generator, as `await` throws). A generator calls another
 * with `yield*`, which costs no promise at all.
 */
export type Maybe<T> = T | Promise<T>;

/** A step of a driven generator: yields values to wait for, receives what they resolved to. */
export type Steps<T> = Generator<unknown, T, unknown>;

export function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof (v as { then?: unknown } | null)?.then === 'function';
}

/** Runs `gen` to its end: its value at once while nothing it yields is a promise, else a promise of it. */
export function drive<T>(gen: Steps<T>): Maybe<T> {
  let step = gen.next();
  while (!step.done) {
    if (isThenable(step.value)) return driveAsync(gen, step.value);
    step = gen.next(step.value);
  }
  return step.value;
}

async function driveAsync<T>(gen: Steps<T>, first: PromiseLike<unknown>): Promise<T> {
  let pending = first;
  for (;;) {
    let value: unknown;
    let failed = false;
    let error: unknown;
    try {
      value = await pending;
    } catch (err) {
      failed = true;
      error = err;
    }
    // A rejection is thrown into the generator, where its try/catch sees it as `await` would.
    let step = failed ? gen.throw(error) : gen.next(value);
    while (!step.done && !isThenable(step.value)) step = gen.next(step.value);
    if (step.done) return step.value;
    pending = step.value as PromiseLike<unknown>;
  }
}

/**
 * `yield* wait(x)`: x's value, typed. A plain value passes straight through — only a promise is
 * yielded to `drive`: a yield suspends and resumes every generator of the `yield*` chain, which
 * for a plain value costs more than the promise it replaces (4-5x a pass-through here).
 */
export function* wait<T>(v: Maybe<T>): Steps<T> {
  return isThenable(v) ? ((yield v) as T) : v;
}

/**
 * `f` of `v`'s value: at once for a plain value, after it resolves for a promise. (Not called
 * `then`: a module exporting `then` is a thenable, and `await import()` of it would call it.)
 */
export function after<T, U>(v: Maybe<T>, f: (x: T) => Maybe<U>): Maybe<U> {
  return isThenable(v) ? (v as Promise<T>).then(f) : f(v as T);
}

/** A promise of `v`, whatever it is (a synchronous throw of `fn` becomes a rejection). */
export function promised<T>(fn: () => Maybe<T>): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(err);
  }
}
