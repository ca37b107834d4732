/** The public API of the `stepwise` package. */
export * from './model/index.js';
