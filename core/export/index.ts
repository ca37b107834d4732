/**
 * Pure graph export: the graph model, DOT and Mermaid. Safe to import from the renderer (no
 * Node modules, no wasm). SVG rendering is in ./svg.js.
 */
export * from './graphModel.js';
export * from './runtimeGraph.js';
export * from './dot.js';
export * from './mermaid.js';
export * from './style.js';
export * from './fileName.js';
