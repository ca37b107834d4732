#!/usr/bin/env node
// `npm run build`: builds the workbench into out/ and records that it succeeded (scripts/staleBuild.mjs).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildWorkbench } from './staleBuild.mjs';

process.exit(buildWorkbench(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')));
