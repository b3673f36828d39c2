/**
 * `npm run reanalyse -- --since <ISO time> [--session <id> …]`: re-runs the post-call LLM analysis
 * on stored sessions after a change of ANALYSIS_CONFIG_PATH, model or prompt (see
 * `intelligence/reanalyse.ts`). Reads the worker's environment (the analysis model must be set);
 * with DuckDB, stop the worker first (it holds the file).
 */
import { createLogger } from '../../src/log.js';
import { loadWorkerConfig, WorkerConfigError } from './config.js';
import { CallAnalyser } from './intelligence/analyse_call.js';
import { parseReanalyseArgs, reanalyse } from './intelligence/reanalyse.js';
import { warehouseAnalysisCache } from './intelligence/warehouse_cache.js';
import { loadScoringDeps } from './pipeline/worker.js';
import { openWarehouse } from './warehouse/create_warehouse.js';

async function main(): Promise<number> {
  const args = parseReanalyseArgs(process.argv.slice(2));
  if (!args.ok) {
    console.error(args.error);
    return 2;
  }
  let config: ReturnType<typeof loadWorkerConfig>;
  try {
    config = loadWorkerConfig(process.env);
  } catch (err) {
    if (err instanceof WorkerConfigError) {
      console.error(err.message);
      return 2;
    }
    throw err;
  }
  if (!config.analysis) {
    console.error('ANALYSIS_MODEL is not set: there is no analysis model to re-run (see .env.example)');
    return 2;
  }
  const log = createLogger({ level: 'warn', name: 'reanalyse' });
  const { deps, analysisConfig } = await loadScoringDeps(config);
  const warehouse = await openWarehouse(config.warehouse);
  try {
    const analyser = new CallAnalyser({
      env: config.analysis,
      config: analysisConfig,
      cache: warehouseAnalysisCache(warehouse),
      log,
    });
    console.log(`analysis config version ${analyser.configVersion}, model ${config.analysis.model}`);
    const report = await reanalyse({
      warehouse,
      analyser,
      deps,
      since: args.since,
      sessionIds: args.sessions,
      onSession: (r) =>
        console.log(`${r.session_id}\t${r.status}${r.reused ? '\t(stored result reused)' : ''}`),
    });
    const statuses = Object.entries(report.byStatus)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    console.log(
      `${report.sessions} session(s) since ${args.since.toISOString()}: ${statuses || 'none'}; ${report.reused} reused`,
    );
    return 0;
  } finally {
    await warehouse.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`reanalyse failed: ${(err as Error)?.stack ?? String(err)}`);
    process.exit(1);
  },
);
