/** The public API of the `stepwise-workflows` package. */
export * from './model/index.js';
export * from './template/graph.js';
export * from './template/flowGraph.js';
export * from './export/index.js';
export * from './export/svg.js';
export * from './insights/taskGraph.js';
export * from './template/index.js';
export { createEngine, type Engine, type EngineOptions } from './engine/engine.js';
export * from './storage/index.js';
export * from './events/index.js';
export * from './ops/index.js';
export { computeInsights, type Insights, type InsightsFilter } from './insights/insights.js';
