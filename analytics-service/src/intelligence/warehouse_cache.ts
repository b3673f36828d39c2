/** The analysis cache read from the warehouse's `call_intelligence` rows (migration 6). */
import type { CallIntelligence } from '../types.js';
import type { Warehouse } from '../warehouse/types.js';
import type { AnalysisCache } from './analyse_call.js';

/** Reuses a stored result of the same config version whose status was ok or skipped. */
export function warehouseAnalysisCache(wh: Warehouse): AnalysisCache {
  return {
    async get(sessionId, configVersion) {
      const rows = await wh.query(
        `SELECT intelligence FROM call_intelligence
         WHERE session_id = $1 AND analysis_config_version = $2 AND analysis_status IN ('ok', 'skipped')`,
        [sessionId, configVersion],
      );
      const v = rows[0]?.intelligence;
      return v && typeof v === 'object' ? (v as CallIntelligence) : null;
    },
  };
}
