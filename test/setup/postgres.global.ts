/**
 * vitest globalSetup: one private PostgreSQL for the whole run (./../fixtures/postgres/server.ts),
 * or the server named by STEPWISE_TEST_DATABASE_URL. Test files get a database of their own from
 * test/fixtures/postgres/database.ts. A run costs about a second more when the initdb copy is
 * cached (a few seconds the first time).
 */
import type { TestProject } from 'vitest/node';
import { PostgresStorage } from '../../core/storage/postgres/storage.js';
import { TEMPLATE_DATABASE } from '../fixtures/postgres/database.js';
import { createDatabase, startPostgres, type PostgresServer } from '../fixtures/postgres/server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}

let server: PostgresServer | null = null;

export async function setup(project: TestProject): Promise<void> {
  server = await startPostgres();
  // A migrated database to copy: a test's database is then one CREATE DATABASE … TEMPLATE away.
  const storage = await PostgresStorage.open({ url: await createDatabase(server.url, TEMPLATE_DATABASE) });
  await storage.close();
  project.provide('postgresUrl', server.url);
}

export async function teardown(): Promise<void> {
  await server?.stop();
  server = null;
}
