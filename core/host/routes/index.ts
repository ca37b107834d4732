/** The debugger's sub-routers (issue 7), merged into the app router under these names. */
import { bulkRouter } from './bulk.js';
import { clusterRouter } from './cluster.js';
import { editRouter } from './edit.js';
import { exportRouter } from './exportGraph.js';
import { insightsRouter } from './insights.js';
import { inspectRouter } from './inspect.js';
import { debugRouter, opsRouter } from './ops.js';

export const debuggerRoutes = {
  ops: opsRouter,
  bulk: bulkRouter,
  debug: debugRouter,
  inspect: inspectRouter,
  insights: insightsRouter,
  edit: editRouter,
  export: exportRouter,
  cluster: clusterRouter,
};
