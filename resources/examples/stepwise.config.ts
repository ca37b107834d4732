import { defineConfig } from 'stepwise-workflows';

// The database lives in .stepwise/ (git-ignored). Handlers run four at a time.
export default defineConfig({
  concurrency: 4,
});
