/** The public API of the `stepwise` package. */
export * from './model/index.js';
export * from './template/graph.js';
export * from './template/flowGraph.js';
export * from './export/index.js';
export * from './export/svg.js';
export * from './insights/taskGraph.js';
export * from './template/index.js';
export { createEngine, type Engine, type EngineOptions } from './engine/engine.js';
