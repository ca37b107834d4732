import { storageContract } from './storage.contract.js';
import { usePostgres } from '../fixtures/postgres/database.js';

const db = usePostgres();

storageContract('postgres', async () => {
  await db.fresh();
  return db.open();
});
