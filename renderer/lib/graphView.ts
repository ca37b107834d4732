/** What the canvas draws of a graph lives in core (the host lays graphs out ahead of the page): see core/export/graphView.ts. */
export * from '../../core/export/graphView.js';
