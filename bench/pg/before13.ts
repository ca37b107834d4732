/**
 * The commit functions as migration 11 left them (commit_fast reading its patches as json, no
 * plan settings), installed over a current schema by the profiles' PG_COMMIT_BODY=11 to compare
 * before and after migration 13 in one run.
 */
import { FAST_COMMIT_MIGRATION_11 } from '../../core/storage/postgres/commitFastSql.js';

export const BEFORE_MIGRATION_13 = `${FAST_COMMIT_MIGRATION_11}
ALTER FUNCTION stepwise.lock_commit(text[], text[], integer[], text[]) RESET ALL;
ALTER FUNCTION stepwise.prepare_commit(json) RESET ALL;`;
