/**
 * Warehouse schema, as numbered migrations applied in order and recorded in `schema_migrations`.
 * A migration is never edited once released: add a new one instead. The same SQL runs on DuckDB
 * and PostgreSQL; the few types that differ are written as `{{json}}` and `{{double}}`.
 *
 * Tables and columns (times are TIMESTAMPTZ in UTC, `_ms` durations in milliseconds, `_usd` dollars)
 *
 * schema_migrations  version (PK), name, applied_at
 *
 * sessions           one row per session, keyed on session_id
 *   session_id (PK), agent_name, agent_version, prompt_version, room_name, participant_identity,
 *   started_at, ended_at, duration_ms, end_reason, stage_reached, stages_completed (text[]), outcome,
 *   industry, team_size, monthly_volume, urgency, integrations (text[]),
 *   score (0–100), tier (e.g. `A1`), fit, engagement, fit_grade (A|B|C), engagement_level (1|2|3),
 *   score_model_version,
 *   cost_usd, cost_llm_usd, cost_stt_usd, cost_tts_usd, cost_livekit_usd, price_book_version,
 *   cost_unpriced (json: string[] of usage rows no price matched),
 *   signal_coverage (0–1), signals_present (text[]), signals_missing (text[]),
 *   turn_count, interrupted_turns, talk_ratio, knowledge_questions, tool_call_count, error_count,
 *   latency_{eou,stt,llm,tts,e2e}_p50_ms, latency_{eou,stt,llm,tts,e2e}_p95_ms,
 *   sla_breach_count, sla_breaches (json: string[]),
 *   latency_perceived_p50_ms, latency_perceived_p95_ms (voice calls: the silence the caller heard,
 *   from the session's events; beside latency_e2e_*, the sum of component delays; migration 4),
 *   contact_pii_mode (full|hashed|none, as stored), contact_name, contact_email, contact_phone,
 *   contact_company (each `sha256:<hex>` under `hashed`, null under `none`),
 *   labels (json), payload (json: the payload without turns, tool_calls and signals, which are in
 *   their tables since migration 3, and with contact fields under the warehouse PII policy;
 *   `GET /api/sessions/:id` puts the whole payload back together, see `stored_payload.ts`),
 *   processed_at (when the worker scored it), updated_at (last write),
 *   tabled_extras (json | null: what the child tables have no column for, i.e. unknown keys of
 *   turns, tool calls and signals, and signals this worker does not know; migration 8)
 *
 * turns              one row per turn; PK (session_id, turn_index), turn_index = position in payload.turns
 *   session_id, turn_index, turn_id, started_at, eou_delay_ms, transcription_delay_ms,
 *   on_user_turn_completed_delay_ms, llm_ttft_ms, llm_duration_ms, llm_prompt_tokens,
 *   llm_prompt_cached_tokens, llm_completion_tokens, tts_ttfb_ms, tts_duration_ms,
 *   tts_audio_duration_ms, tts_characters, e2e_latency_ms, interrupted,
 *   payload_index (the turn's own `index`), user_text, agent_text (the turn's transcript text, only
 *   when the transcript policy kept it; migration 3), perceived_latency_ms, stt_audio_duration_ms,
 *   user_speech_ms, agent_speech_ms (voice calls; migration 4)
 *
 * tool_calls         one row per tool call; PK (session_id, ordinal)
 *   session_id, ordinal, call_id, name, status, error, duration_ms, started_at, turn_id,
 *   output_summary, arguments (json, contact fields under the PII policy)
 *
 * signals            one row per stated signal; PK (session_id, name)
 *   session_id, name, value (json: number | string | string[]), evidence (json: Evidence[]),
 *   history (json | null), confidence (0–1 | null: the detector's, migration 5),
 *   alternatives (json: {value, reason, turn_index, span}[] | null: values it beat, migration 5)
 *
 * leads              one row per session; PK session_id
 *   session_id, score, tier, fit, engagement, model_version, reasons (json: ScoreReason[]),
 *   contact (json: {pii_mode, name?, email?, phone?, company?} under the PII policy), updated_at
 *
 * call_intelligence  one row per session (migration 6): post-call sentiment and LLM analysis
 *   session_id, sentiment_mean, sentiment_start, sentiment_end, sentiment_lowest, sentiment_trend
 *   (each −1…1, null without prospect text), sentiment_trend_label (improving|steady|declining),
 *   analysis_status (ok|off|skipped|timeout|invalid_json|schema_violation|refusal|http_error),
 *   analysis_reason, analysis_config_version, analysis_model, analysis_attempts, summary,
 *   success (boolean), custom_fields (json: name → value | null), intelligence (json: the whole
 *   `CallIntelligence`, quotes included), signal_opinions (json: `SignalOpinion[]`),
 *   discarded_quotes, signal_disagreements, cost_analysis_usd, analysed_at
 *
 * prospect_sentiment one row per prospect message with text (migration 6)
 *   session_id, message_index, turn_index (the turn that answered it, or null), compound,
 *   positive, negative, neutral
 *
 * deliveries         delivery status per session and destination; PK (session_id, destination)
 *   session_id, destination (`warehouse`, `hubspot`, …), status (ok|parked|failed|retrying),
 *   attempts, last_error, updated_at
 *
 * session_errors     one row per payload error (migration 7); no key, replaced with its session
 *   session_id, ordinal, occurred_at, component (stt|llm|tts|vad|tool|realtime|analytics|other), type,
 *   severity (warning|error|critical), recoverable, recovered, turn_id, attempt, status_code,
 *   source, message
 *
 * alerts             one row per alert (migration 7); PK alert_id; written by the alert engine
 *   alert_id, rule_id, rule_kind, subject (e.g. `llm`), severity, state (firing|resolved),
 *   fired_at, resolved_at, updated_at, notified_at, flaps (re-fired within the cooldown),
 *   figure, threshold, window_from, window_to, evidence (JSON text), message
 *
 * Child tables are replaced (delete + insert) in the same transaction as their session row.
 *
 * On DuckDB (migration 2) turns, tool_calls and signals have no primary key and there are no
 * secondary indexes: DuckDB keeps every index in memory, maintains it on each commit and rewrites
 * it at each checkpoint, while its planner only uses one for point lookups on its first column
 * (not these composite keys, nor tier/status/time ranges, which zone maps serve). Uniqueness of
 * child rows follows from the delete + insert per session in one transaction, and from the writes
 * of one session never running side by side (`duckdb_warehouse.ts`).
 */

export interface Migration {
  readonly version: number;
  readonly name: string;
  /** Statements, run in order inside one transaction. */
  readonly statements: readonly string[];
  /** The statements run on this dialect only; the other records the version with nothing to do. */
  readonly only?: SqlDialect;
}

const DUCKDB_CHILD_TABLES_WITHOUT_KEYS = [
  `CREATE TABLE turns_v2 (
    session_id TEXT NOT NULL,
    turn_index INTEGER NOT NULL,
    turn_id TEXT NOT NULL,
    started_at TIMESTAMPTZ,
    eou_delay_ms DOUBLE,
    transcription_delay_ms DOUBLE,
    on_user_turn_completed_delay_ms DOUBLE,
    llm_ttft_ms DOUBLE,
    llm_duration_ms DOUBLE,
    llm_prompt_tokens BIGINT,
    llm_prompt_cached_tokens BIGINT,
    llm_completion_tokens BIGINT,
    tts_ttfb_ms DOUBLE,
    tts_duration_ms DOUBLE,
    tts_audio_duration_ms DOUBLE,
    tts_characters BIGINT,
    e2e_latency_ms DOUBLE,
    interrupted BOOLEAN NOT NULL
  )`,
  'INSERT INTO turns_v2 SELECT * FROM turns',
  'DROP TABLE turns',
  'ALTER TABLE turns_v2 RENAME TO turns',
  `CREATE TABLE tool_calls_v2 (
    session_id TEXT NOT NULL,
    ordinal INTEGER NOT NULL,
    call_id TEXT NOT NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    error TEXT,
    duration_ms DOUBLE,
    started_at TIMESTAMPTZ,
    turn_id TEXT,
    output_summary TEXT NOT NULL,
    arguments JSON NOT NULL
  )`,
  'INSERT INTO tool_calls_v2 SELECT * FROM tool_calls',
  'DROP TABLE tool_calls',
  'ALTER TABLE tool_calls_v2 RENAME TO tool_calls',
  `CREATE TABLE signals_v2 (
    session_id TEXT NOT NULL,
    name TEXT NOT NULL,
    value JSON NOT NULL,
    evidence JSON NOT NULL,
    history JSON
  )`,
  'INSERT INTO signals_v2 SELECT * FROM signals',
  'DROP TABLE signals',
  'ALTER TABLE signals_v2 RENAME TO signals',
];

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial warehouse schema',
    statements: [
      `CREATE TABLE sessions (
        session_id TEXT PRIMARY KEY,
        agent_name TEXT NOT NULL,
        agent_version TEXT NOT NULL,
        prompt_version TEXT NOT NULL,
        room_name TEXT,
        participant_identity TEXT,
        started_at TIMESTAMPTZ NOT NULL,
        ended_at TIMESTAMPTZ NOT NULL,
        duration_ms {{double}} NOT NULL,
        end_reason TEXT NOT NULL,
        stage_reached TEXT NOT NULL,
        stages_completed TEXT[] NOT NULL,
        outcome TEXT NOT NULL,
        industry TEXT,
        team_size BIGINT,
        monthly_volume BIGINT,
        urgency TEXT,
        integrations TEXT[],
        score {{double}} NOT NULL,
        tier TEXT NOT NULL,
        fit {{double}} NOT NULL,
        engagement {{double}} NOT NULL,
        fit_grade TEXT NOT NULL,
        engagement_level INTEGER NOT NULL,
        score_model_version TEXT NOT NULL,
        cost_usd {{double}} NOT NULL,
        cost_llm_usd {{double}} NOT NULL,
        cost_stt_usd {{double}} NOT NULL,
        cost_tts_usd {{double}} NOT NULL,
        cost_livekit_usd {{double}} NOT NULL,
        price_book_version TEXT NOT NULL,
        cost_unpriced {{json}} NOT NULL,
        signal_coverage {{double}} NOT NULL,
        signals_present TEXT[] NOT NULL,
        signals_missing TEXT[] NOT NULL,
        turn_count INTEGER NOT NULL,
        interrupted_turns INTEGER NOT NULL,
        talk_ratio {{double}},
        knowledge_questions INTEGER NOT NULL,
        tool_call_count INTEGER NOT NULL,
        error_count INTEGER NOT NULL,
        latency_eou_p50_ms {{double}},
        latency_eou_p95_ms {{double}},
        latency_stt_p50_ms {{double}},
        latency_stt_p95_ms {{double}},
        latency_llm_p50_ms {{double}},
        latency_llm_p95_ms {{double}},
        latency_tts_p50_ms {{double}},
        latency_tts_p95_ms {{double}},
        latency_e2e_p50_ms {{double}},
        latency_e2e_p95_ms {{double}},
        sla_breach_count INTEGER NOT NULL,
        sla_breaches {{json}} NOT NULL,
        contact_pii_mode TEXT NOT NULL,
        contact_name TEXT,
        contact_email TEXT,
        contact_phone TEXT,
        contact_company TEXT,
        labels {{json}},
        payload {{json}} NOT NULL,
        processed_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL
      )`,
      `CREATE TABLE turns (
        session_id TEXT NOT NULL,
        turn_index INTEGER NOT NULL,
        turn_id TEXT NOT NULL,
        started_at TIMESTAMPTZ,
        eou_delay_ms {{double}},
        transcription_delay_ms {{double}},
        on_user_turn_completed_delay_ms {{double}},
        llm_ttft_ms {{double}},
        llm_duration_ms {{double}},
        llm_prompt_tokens BIGINT,
        llm_prompt_cached_tokens BIGINT,
        llm_completion_tokens BIGINT,
        tts_ttfb_ms {{double}},
        tts_duration_ms {{double}},
        tts_audio_duration_ms {{double}},
        tts_characters BIGINT,
        e2e_latency_ms {{double}},
        interrupted BOOLEAN NOT NULL,
        PRIMARY KEY (session_id, turn_index)
      )`,
      `CREATE TABLE tool_calls (
        session_id TEXT NOT NULL,
        ordinal INTEGER NOT NULL,
        call_id TEXT NOT NULL,
        name TEXT NOT NULL,
        status TEXT NOT NULL,
        error TEXT,
        duration_ms {{double}},
        started_at TIMESTAMPTZ,
        turn_id TEXT,
        output_summary TEXT NOT NULL,
        arguments {{json}} NOT NULL,
        PRIMARY KEY (session_id, ordinal)
      )`,
      `CREATE TABLE signals (
        session_id TEXT NOT NULL,
        name TEXT NOT NULL,
        value {{json}} NOT NULL,
        evidence {{json}} NOT NULL,
        history {{json}},
        PRIMARY KEY (session_id, name)
      )`,
      `CREATE TABLE leads (
        session_id TEXT PRIMARY KEY,
        score {{double}} NOT NULL,
        tier TEXT NOT NULL,
        fit {{double}} NOT NULL,
        engagement {{double}} NOT NULL,
        model_version TEXT NOT NULL,
        reasons {{json}} NOT NULL,
        contact {{json}} NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL
      )`,
      `CREATE TABLE deliveries (
        session_id TEXT NOT NULL,
        destination TEXT NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        last_error TEXT,
        updated_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (session_id, destination)
      )`,
      'CREATE INDEX sessions_ended_at_idx ON sessions (ended_at)',
      'CREATE INDEX sessions_tier_idx ON sessions (tier)',
      'CREATE INDEX deliveries_status_idx ON deliveries (status)',
    ],
  },
  {
    version: 2,
    name: 'duckdb: no keys on turns, tool_calls, signals; no secondary indexes',
    only: 'duckdb',
    statements: [
      'DROP INDEX sessions_ended_at_idx',
      'DROP INDEX sessions_tier_idx',
      'DROP INDEX deliveries_status_idx',
      ...DUCKDB_CHILD_TABLES_WITHOUT_KEYS,
    ],
  },
  {
    version: 3,
    name: 'turns keep their own index and text; sessions.payload leaves out what the child tables hold',
    statements: [
      'ALTER TABLE turns ADD COLUMN payload_index INTEGER',
      'ALTER TABLE turns ADD COLUMN user_text TEXT',
      'ALTER TABLE turns ADD COLUMN agent_text TEXT',
    ],
  },
  {
    version: 4,
    name: 'voice: perceived latency, STT audio joined to turns, speech times',
    statements: [
      'ALTER TABLE turns ADD COLUMN perceived_latency_ms {{double}}',
      'ALTER TABLE turns ADD COLUMN stt_audio_duration_ms {{double}}',
      'ALTER TABLE turns ADD COLUMN user_speech_ms {{double}}',
      'ALTER TABLE turns ADD COLUMN agent_speech_ms {{double}}',
      'ALTER TABLE sessions ADD COLUMN latency_perceived_p50_ms {{double}}',
      'ALTER TABLE sessions ADD COLUMN latency_perceived_p95_ms {{double}}',
    ],
  },
  {
    version: 5,
    name: 'signals keep the detector confidence and the alternatives each value beat',
    statements: [
      'ALTER TABLE signals ADD COLUMN confidence {{double}}',
      'ALTER TABLE signals ADD COLUMN alternatives {{json}}',
    ],
  },
  {
    version: 6,
    name: 'post-call intelligence: call_intelligence and prospect_sentiment',
    statements: [
      `CREATE TABLE call_intelligence (
        session_id TEXT NOT NULL {{primary_key}},
        sentiment_mean {{double}},
        sentiment_start {{double}},
        sentiment_end {{double}},
        sentiment_lowest {{double}},
        sentiment_trend {{double}},
        sentiment_trend_label TEXT,
        analysis_status TEXT NOT NULL,
        analysis_reason TEXT,
        analysis_config_version TEXT,
        analysis_model TEXT,
        analysis_attempts INTEGER NOT NULL,
        summary TEXT,
        success BOOLEAN,
        custom_fields {{json}},
        intelligence {{json}} NOT NULL,
        signal_opinions {{json}} NOT NULL,
        discarded_quotes INTEGER NOT NULL,
        signal_disagreements INTEGER NOT NULL,
        cost_analysis_usd {{double}} NOT NULL,
        analysed_at TIMESTAMPTZ
      )`,
      `CREATE TABLE prospect_sentiment (
        session_id TEXT NOT NULL,
        message_index INTEGER NOT NULL,
        turn_index INTEGER,
        compound {{double}} NOT NULL,
        positive {{double}} NOT NULL,
        negative {{double}} NOT NULL,
        neutral {{double}} NOT NULL
      )`,
    ],
  },
  {
    version: 7,
    name: 'session_errors by component; alerts with their evidence',
    statements: [
      `CREATE TABLE session_errors (
        session_id TEXT NOT NULL,
        ordinal INTEGER NOT NULL,
        occurred_at TIMESTAMPTZ,
        component TEXT NOT NULL,
        type TEXT,
        severity TEXT NOT NULL,
        recoverable BOOLEAN NOT NULL,
        recovered BOOLEAN,
        turn_id TEXT,
        attempt INTEGER,
        status_code INTEGER,
        source TEXT NOT NULL,
        message TEXT NOT NULL
      )`,
      `CREATE TABLE alerts (
        alert_id TEXT PRIMARY KEY,
        rule_id TEXT NOT NULL,
        rule_kind TEXT NOT NULL,
        subject TEXT NOT NULL,
        severity TEXT NOT NULL,
        state TEXT NOT NULL,
        fired_at TIMESTAMPTZ NOT NULL,
        resolved_at TIMESTAMPTZ,
        updated_at TIMESTAMPTZ NOT NULL,
        notified_at TIMESTAMPTZ,
        flaps INTEGER NOT NULL,
        figure {{double}},
        threshold {{double}},
        window_from TIMESTAMPTZ,
        window_to TIMESTAMPTZ,
        evidence TEXT NOT NULL,
        message TEXT NOT NULL
      )`,
    ],
  },
  {
    version: 8,
    name: 'sessions.tabled_extras: unknown keys of turns, tool calls and signals, kept',
    statements: ['ALTER TABLE sessions ADD COLUMN tabled_extras {{json}}'],
  },
];

/** The statements `m` runs on `dialect` (none when it is for the other one). */
export function migrationStatements(m: Migration, dialect: SqlDialect): readonly string[] {
  return m.only === undefined || m.only === dialect ? m.statements : [];
}

export type SqlDialect = 'duckdb' | 'postgres';

const TYPE_TOKENS: Record<SqlDialect, Record<string, string>> = {
  // DuckDB keeps every key in memory and rewrites it at each checkpoint (see migration 2): the
  // writers' delete + insert per session keeps rows unique there; PostgreSQL gets the key.
  duckdb: { json: 'JSON', double: 'DOUBLE', primary_key: '' },
  postgres: { json: 'JSONB', double: 'DOUBLE PRECISION', primary_key: 'PRIMARY KEY' },
};

/** The statement with `{{token}}` types replaced for one dialect. */
export function renderStatement(sql: string, dialect: SqlDialect): string {
  return sql.replace(/\{\{(\w+)\}\}/g, (whole, token: string) => TYPE_TOKENS[dialect][token] ?? whole);
}

export const SCHEMA_MIGRATIONS_DDL =
  'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)';
