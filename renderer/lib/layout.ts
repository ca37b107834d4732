/** The canvas's layout helpers live in core (the host lays out and caches too): see core/export/layout.ts. */
export * from '../../core/export/layout.js';
