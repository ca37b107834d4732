/**
 * ESLint for the renderer (React): the rules of hooks and their dependency lists, plus
 * typescript-eslint's recommended set. The engine and host are checked by `tsc` alone; the
 * renderer is where a missed dependency or a conditional hook silently shows stale data.
 * It also keeps the renderer's imports of core to the protocol module's types and a few pure
 * drawing helpers (DESIGN: renderer → protocol types only).
 */
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**'] },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended, reactHooks.configs.flat.recommended],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'react-hooks/exhaustive-deps': 'error',
      // DESIGN: renderer → protocol types only. Core types come through core/host/protocol;
      // the only core values the page may bundle are pure helpers: the drawing styles, the graph
      // view and layout (shared with the host, which lays graphs out and caches them), the JSON
      // Schema dialect the forms must share with the host, and the one duration format.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+core/(?!host/protocol\\.js$|export/style\\.js$|export/layout\\.js$|export/graphView\\.js$|model/jsonSchema\\.js$|template/duration\\.js$)',
              message: 'The renderer imports core types from core/host/protocol.js only (and pure helpers: core/export/style.js, core/export/graphView.js, core/export/layout.js, core/model/jsonSchema.js, core/template/duration.js).',
            },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
);
