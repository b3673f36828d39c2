/**
 * Parked deliveries, by command (`npm run replay -- …`):
 *   --list                      list parked deliveries (default)
 *   --all                       replay every parked delivery through its configured destination
 *   --destination <name>        only this destination (with --list or --all)
 *   --session <session_id>      only this session (with --list or --all)
 * A replayed delivery is removed from the parked store and marked `ok` in the warehouse's
 * `deliveries` table when the warehouse can be opened (a running worker holds a DuckDB file).
 */
import { parseArgs } from 'node:util';
import { createLogger } from '../../src/log.js';
import { loadWorkerConfig, WorkerConfigError } from './config.js';
import { FileParkedStore, replayParked } from './delivery/index.js';
import { createDestinations } from './pipeline/index.js';
import { openWarehouse } from './warehouse/index.js';

const USAGE = 'usage: npm run replay -- [--list | --all] [--destination <name>] [--session <session_id>]';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      list: { type: 'boolean', default: false },
      all: { type: 'boolean', default: false },
      destination: { type: 'string' },
      session: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help || (values.list && values.all)) {
    console.log(USAGE);
    return values.help ? 0 : 2;
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
  const log = createLogger({ level: config.logLevel === 'info' ? 'warn' : config.logLevel, name: 'replay' });
  const store = new FileParkedStore(config.delivery.parkedDir);
  const filter = {
    ...(values.destination !== undefined && { destination: values.destination }),
    ...(values.session !== undefined && { session_id: values.session }),
  };

  if (!values.all) {
    const entries = await store.list(filter);
    for (const e of entries) {
      console.log(`${e.id}\t${e.destination}\t${e.session_id}\t${e.at}\tattempts=${e.attempts}\t${e.error}`);
    }
    console.log(
      `${entries.length} parked deliver${entries.length === 1 ? 'y' : 'ies'} in ${config.delivery.parkedDir}`,
    );
    return 0;
  }

  const destinations = createDestinations(config.destinations, log, config.piiHasher);
  const report = await replayParked({ store, destinations, filter, log });
  for (const d of report.delivered) console.log(`delivered\t${d.destination}\t${d.session_id}`);
  for (const f of report.failed) console.log(`failed\t${f.destination}\t${f.session_id}\t${f.error}`);
  for (const s of report.skipped) console.log(`skipped\t${s.destination}\t${s.session_id}\t${s.reason}`);
  if (report.delivered.length > 0) {
    try {
      const warehouse = await openWarehouse(config.warehouse);
      try {
        await warehouse.recordDeliveries(
          report.delivered.map((d) => ({
            session_id: d.session_id,
            destination: d.destination,
            status: 'ok' as const,
            attempts: 1,
            last_error: null,
          })),
        );
      } finally {
        await warehouse.close();
      }
    } catch (err) {
      console.error(`warehouse deliveries table not updated: ${(err as Error).message}`);
    }
  }
  console.log(
    `replayed ${report.delivered.length}, still failing ${report.failed.length}, skipped ${report.skipped.length}`,
  );
  return report.failed.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`replay failed: ${(err as Error)?.message ?? String(err)}`);
    process.exit(1);
  },
);
