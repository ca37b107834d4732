import { defineConfig } from 'stepwise';

// The database lives in .stepwise/ (git-ignored). Handlers run four at a time.
export default defineConfig({
  concurrency: 4,
});
