/**
 * Local fakes of the vendor APIs the destinations call, one HTTP server per vendor. Each checks
 * every request against the vendor's documented API (method, path, auth, content type, body shape
 * against our JSON Schemas of the vendor references, `vendor_schemas.ts`, with ajv) and rejects a mismatch the way the vendor does (4xx with a vendor-like body). Accepted
 * writes are stored by the vendor's idempotency key, so a duplicate shows up as one record with
 * `writes > 1`. `script(...)` queues replies (429 with Retry-After, 500, 400…) answered before any
 * check, one per request, to drive retry and parking tests.
 *
 * - HubSpot:    POST /crm/v3/objects/contacts/batch/upsert, Bearer token, `{inputs:[{id, idProperty, properties}]}`
 * - Salesforce: PATCH /services/data/vNN.N/sobjects/Lead/<ExternalIdField>/<value>, Bearer token
 * - Amplitude:  POST /2/httpapi, `{api_key, events:[…]}`, dedup on `insert_id`
 * - Webhook:    a receiver that verifies X-SignalRoom-Signature and dedups on Idempotency-Key
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { importSPKI, jwtVerify } from 'jose';
import { z } from 'zod';
import { HUBSPOT_UPSERT_PATH } from '../destinations/hubspot.js';
import {
  verifyWebhookSignature,
  WEBHOOK_EVENT_TYPE,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
} from '../destinations/webhook.js';
import {
  checkAmplitudeEvent,
  checkAmplitudeUpload,
  checkHubSpotBatchUpsert,
  checkSalesforceSObject,
} from './vendor_schemas.js';

export interface FakeReply {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Status the fake answered. */
  replied: number;
}

export interface StoredRecord {
  key: string;
  value: Record<string, unknown>;
  /** Accepted writes for this key: 1 after the first, more after duplicates. */
  writes: number;
}

type Handler = (
  req: Omit<ReceivedRequest, 'replied'>,
  fake: FakeVendorServer,
) => FakeReply | Promise<FakeReply>;

export class FakeVendorServer {
  readonly requests: ReceivedRequest[] = [];
  readonly records = new Map<string, StoredRecord>();
  private readonly scripted: FakeReply[] = [];
  private server: Server | undefined;
  url = '';

  constructor(
    readonly vendor: string,
    private readonly handler: Handler,
  ) {}

  /** Queues replies answered (in order, one per request) before any check. */
  script(...replies: FakeReply[]): this {
    this.scripted.push(...replies);
    return this;
  }

  /** Stores (or merges into) a record; returns true when it was created. */
  upsert(key: string, value: Record<string, unknown>, merge = true): boolean {
    const prev = this.records.get(key);
    if (prev) {
      prev.value = merge ? { ...prev.value, ...value } : prev.value;
      prev.writes++;
      return false;
    }
    this.records.set(key, { key, value, writes: 1 });
    return true;
  }

  /** Requests that the fake accepted (2xx). */
  get accepted(): ReceivedRequest[] {
    return this.requests.filter((r) => r.replied >= 200 && r.replied < 300);
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://fake');
        const received = {
          method: req.method ?? 'GET',
          path: url.pathname,
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        void this.answer(received).then((reply) => this.send(res, received, reply));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  private async answer(received: Omit<ReceivedRequest, 'replied'>): Promise<FakeReply> {
    try {
      return this.scripted.shift() ?? (await this.handler(received, this));
    } catch (err) {
      return { status: 500, body: { error: `fake ${this.vendor} crashed: ${(err as Error).message}` } };
    }
  }

  private send(res: ServerResponse, received: Omit<ReceivedRequest, 'replied'>, reply: FakeReply): void {
    this.requests.push({ ...received, replied: reply.status });
    const body =
      reply.body === undefined
        ? ''
        : typeof reply.body === 'string'
          ? reply.body
          : JSON.stringify(reply.body);
    res.writeHead(reply.status, {
      ...(body && typeof reply.body !== 'string' ? { 'content-type': 'application/json' } : {}),
      ...reply.headers,
    });
    res.end(body);
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}

const isJson = (h: IncomingHttpHeaders) =>
  (h['content-type'] ?? '').toLowerCase().startsWith('application/json');
const parseJson = (body: string): { ok: true; value: unknown } | { ok: false; error: string } => {
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
};
const issues = (e: z.ZodError) =>
  e.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

// ── HubSpot ────────────────────────────────────────────────────────────────────────────────────

const HS_STANDARD_PROPERTIES = ['email', 'firstname', 'lastname', 'phone', 'company', 'website', 'jobtitle'];
const hsError = (status: number, category: string, message: string, errors?: unknown[]): FakeReply => ({
  status,
  body: { status: 'error', message, category, correlationId: randomUUID(), ...(errors ? { errors } : {}) },
});

/** HubSpot's documented 429 body (`policyName` says which limit: `DAILY` or `TEN_SECONDLY_ROLLING`). */
export function hubspotRateLimited(policyName: 'DAILY' | 'TEN_SECONDLY_ROLLING'): FakeReply {
  return {
    status: 429,
    body: {
      status: 'error',
      message:
        policyName === 'DAILY'
          ? 'You have reached your daily limit.'
          : 'You have reached your ten_secondly_rolling limit.',
      errorType: 'RATE_LIMIT',
      correlationId: randomUUID(),
      policyName,
      requestId: randomUUID(),
    },
  };
}

/** Contacts are keyed on lowercased email; unknown properties are rejected like a portal without them. */
export function createHubSpotFake(opts: {
  accessToken: string;
  customProperties: readonly string[];
  /** Requests allowed per rolling window (HubSpot's burst limit, e.g. 100 or 190 per 10 s). */
  burstLimit?: number;
  burstWindowMs?: number;
}): FakeVendorServer {
  const known = new Set([...HS_STANDARD_PROPERTIES, ...opts.customProperties]);
  let nextId = 1000;
  const ids = new Map<string, string>();
  const recent: number[] = [];
  return new FakeVendorServer('hubspot', (req, fake) => {
    if (opts.burstLimit !== undefined) {
      const now = Date.now();
      while (recent.length > 0 && (recent[0] ?? 0) <= now - (opts.burstWindowMs ?? 10_000)) recent.shift();
      if (recent.length >= opts.burstLimit) return hubspotRateLimited('TEN_SECONDLY_ROLLING');
      recent.push(now);
    }
    if (req.path !== HUBSPOT_UPSERT_PATH) return hsError(404, 'OBJECT_NOT_FOUND', `No route for ${req.path}`);
    if (req.method !== 'POST') return hsError(405, 'VALIDATION_ERROR', `Method ${req.method} not allowed`);
    if (req.headers.authorization !== `Bearer ${opts.accessToken}`) {
      return hsError(401, 'INVALID_AUTHENTICATION', 'Authentication credentials not found.');
    }
    if (!isJson(req.headers))
      return hsError(415, 'VALIDATION_ERROR', 'Content-Type must be application/json');
    const json = parseJson(req.body);
    if (!json.ok) return hsError(400, 'VALIDATION_ERROR', `Invalid input JSON: ${json.error}`);
    const checked = checkHubSpotBatchUpsert(json.value);
    if (!checked.ok)
      return hsError(400, 'VALIDATION_ERROR', `Invalid input JSON on line 1: ${checked.errors.join('; ')}`);
    const data = json.value as {
      inputs: { id: string; idProperty?: string; properties: Record<string, string> }[];
    };
    const now = new Date().toISOString();
    const results = [];
    for (const input of data.inputs) {
      if (input.idProperty !== 'email') {
        return hsError(
          400,
          'VALIDATION_ERROR',
          `idProperty must be a unique property, got ${input.idProperty}`,
        );
      }
      if (!EMAIL.test(input.id))
        return hsError(400, 'VALIDATION_ERROR', `Email address ${input.id} is invalid`);
      const unknown = Object.keys(input.properties).filter((k) => !known.has(k));
      if (unknown.length) {
        return hsError(
          400,
          'VALIDATION_ERROR',
          'Property values were not valid',
          unknown.map((name) => ({
            message: `Property "${name}" does not exist`,
            code: 'PROPERTY_DOESNT_EXIST',
            in: name,
          })),
        );
      }
      const key = input.id.toLowerCase();
      const created = fake.upsert(key, { ...input.properties, email: key });
      if (!ids.has(key)) ids.set(key, String(nextId++));
      results.push({
        id: ids.get(key),
        properties: fake.records.get(key)?.value,
        createdAt: now,
        updatedAt: now,
        archived: false,
        new: created,
      });
    }
    return { status: 200, body: { status: 'COMPLETE', results, startedAt: now, completedAt: now } };
  });
}

// ── Salesforce ─────────────────────────────────────────────────────────────────────────────────

const SF_LEAD_FIELDS = [
  'FirstName',
  'LastName',
  'Company',
  'Email',
  'Phone',
  'Title',
  'Description',
  'LeadSource',
  'Status',
  'Website',
];
const SF_PATH = /^\/services\/data\/(v\d+\.\d)\/sobjects\/Lead\/([^/]+)\/([^/]+)$/;
const sfError = (status: number, errorCode: string, message: string, fields?: string[]): FakeReply => ({
  status,
  body: [{ message, errorCode, ...(fields ? { fields } : {}) }],
});

export interface SalesforceFakeOAuth {
  /** Consumer key of the connected app. */
  clientId: string;
  /** Client-credentials flow: the consumer secret. */
  clientSecret?: string;
  /** JWT bearer flow: the certificate's public key (PEM), the run-as username and the audience. */
  publicKeyPem?: string;
  username?: string;
  audience?: string;
  /** The org's session timeout: issued tokens stop working after this long. */
  sessionTtlMs: number;
}

export interface SalesforceFake extends FakeVendorServer {
  /** Token requests answered 200. */
  tokensIssued: number;
  /** Ends every issued session now (as a session timeout or a revoked session does). */
  expireSessions(): void;
  /** Makes an external id value match two Leads (the upsert then answers 300). */
  duplicateExternalId(value: string): void;
}

const oauthError = (error: string, description: string): FakeReply => ({
  status: 400,
  body: { error, error_description: description },
});

/**
 * Leads are keyed on the external id value in the URL; unknown fields are rejected (INVALID_FIELD).
 * Tokens: a static `accessToken`, and/or an OAuth token endpoint (`POST /services/oauth2/token`,
 * client credentials and JWT bearer, the JWT checked with `jose`, independently of our signer)
 * issuing tokens that expire after `sessionTtlMs`; an unknown or expired token answers 401
 * `INVALID_SESSION_ID`. Upserts answer 201 (created), 200 with a body (updated, API ≥ 46.0) or 204
 * (updated, older versions), and 300 with the matching records when a value matches several.
 */
export function createSalesforceFake(opts: {
  accessToken?: string;
  oauth?: SalesforceFakeOAuth;
  externalIdField: string;
  customFields: readonly string[];
}): SalesforceFake {
  const known = new Set([...SF_LEAD_FIELDS, ...opts.customFields]);
  let next = 1;
  const ids = new Map<string, string>();
  const sessions = new Map<string, number>();
  const duplicates = new Set<string>();
  let tokensIssued = 0;

  async function tokenEndpoint(req: Omit<ReceivedRequest, 'replied'>, url: string): Promise<FakeReply> {
    const o = opts.oauth;
    if (req.method !== 'POST') return oauthError('invalid_request', 'must use HTTP POST');
    if (!o) return oauthError('invalid_client_id', 'client identifier invalid');
    if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded'))
      return oauthError('invalid_request', 'content type must be application/x-www-form-urlencoded');
    const form = new URLSearchParams(req.body);
    const grant = form.get('grant_type');
    if (grant === 'client_credentials') {
      if (!o.clientSecret) return oauthError('invalid_grant', 'no client credentials user enabled');
      if (form.get('client_id') !== o.clientId)
        return oauthError('invalid_client_id', 'client identifier invalid');
      if (form.get('client_secret') !== o.clientSecret)
        return oauthError('invalid_client', 'invalid client credentials');
    } else if (grant === 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      if (!o.publicKeyPem) return oauthError('invalid_grant', 'invalid assertion');
      try {
        const key = await importSPKI(o.publicKeyPem, 'RS256');
        const { payload } = await jwtVerify(form.get('assertion') ?? '', key, {
          algorithms: ['RS256'],
          issuer: o.clientId,
          subject: o.username,
          audience: o.audience ?? 'https://login.salesforce.com',
          requiredClaims: ['exp'],
        });
        if ((payload.exp ?? 0) * 1000 > Date.now() + 3 * 60_000 + 5_000)
          return oauthError('invalid_grant', 'expiration time too far in the future');
      } catch {
        return oauthError('invalid_grant', 'invalid assertion');
      }
    } else {
      return oauthError('unsupported_grant_type', 'grant type not supported');
    }
    const token = `00D000000000001!${randomUUID().replaceAll('-', '')}`;
    sessions.set(token, Date.now() + o.sessionTtlMs);
    tokensIssued++;
    fake.tokensIssued = tokensIssued;
    const issuedAt = String(Date.now());
    return {
      status: 200,
      body: {
        access_token: token,
        signature: createHash('sha256').update(token).digest('base64'),
        scope: 'api',
        instance_url: url,
        id: `${url}/id/00D000000000001/005000000000001`,
        token_type: 'Bearer',
        issued_at: issuedAt,
      },
    };
  }

  const authorised = (header: string | undefined) => {
    const token = header?.startsWith('Bearer ') ? header.slice(7) : undefined;
    if (!token) return false;
    if (opts.accessToken !== undefined && token === opts.accessToken) return true;
    const until = sessions.get(token);
    return until !== undefined && Date.now() < until;
  };

  const fake = new FakeVendorServer('salesforce', async (req, f) => {
    if (req.path === '/services/oauth2/token') return tokenEndpoint(req, f.url);
    const m = SF_PATH.exec(req.path);
    if (!m) return sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
    const [, version, field, rawValue] = m;
    // A trailing `.<letters>` is read as a format extension (documented for `.inc` emails).
    if (/\.[A-Za-z]+$/.test(rawValue!))
      return sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
    if (req.method !== 'PATCH')
      return sfError(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${req.method}' not allowed`);
    if (!authorised(req.headers.authorization)) {
      return sfError(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
    }
    if (decodeURIComponent(field!) !== opts.externalIdField) {
      return sfError(
        404,
        'NOT_FOUND',
        `Provided external ID field does not exist or is not accessible: ${field}`,
      );
    }
    if (!isJson(req.headers))
      return sfError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/json');
    const json = parseJson(req.body);
    if (!json.ok) return sfError(400, 'JSON_PARSER_ERROR', `Unexpected character: ${json.error}`);
    if (Array.isArray(json.value) || typeof json.value !== 'object' || json.value === null)
      return sfError(400, 'JSON_PARSER_ERROR', 'Cannot deserialize instance of Lead from a non-object value');
    const checked = checkSalesforceSObject(json.value);
    if (!checked.ok) return sfError(400, 'JSON_PARSER_ERROR', checked.errors.join('; '));
    const body = json.value as Record<string, string | number | boolean | null>;
    for (const k of Object.keys(body)) {
      if (k === 'Id' || k === opts.externalIdField) {
        return sfError(
          400,
          'INVALID_FIELD',
          `Unable to create/update fields: ${k}. The field is the key of this request.`,
          [k],
        );
      }
      if (!known.has(k))
        return sfError(400, 'INVALID_FIELD', `No such column '${k}' on sobject of type Lead`);
    }
    const key = decodeURIComponent(rawValue!);
    if (duplicates.has(key)) {
      return {
        status: 300,
        body: [
          `/services/data/${version}/sobjects/Lead/00Q000000000000901`,
          `/services/data/${version}/sobjects/Lead/00Q000000000000902`,
        ],
      };
    }
    if (!f.records.has(key)) {
      const missing = ['LastName', 'Company'].filter((x) => typeof body[x] !== 'string' || body[x] === '');
      if (missing.length) {
        return sfError(
          400,
          'REQUIRED_FIELD_MISSING',
          `Required fields are missing: [${missing.join(', ')}]`,
          missing,
        );
      }
    }
    const created = f.upsert(key, body);
    if (!ids.has(key)) ids.set(key, `00Q${String(next++).padStart(15, '0')}`);
    if (!created && Number(version!.slice(1)) < 46) return { status: 204 };
    return { status: created ? 201 : 200, body: { id: ids.get(key), success: true, errors: [], created } };
  }) as SalesforceFake;
  fake.tokensIssued = 0;
  fake.expireSessions = () => {
    for (const k of sessions.keys()) sessions.set(k, 0);
  };
  fake.duplicateExternalId = (value: string) => void duplicates.add(value);
  return fake;
}

// ── Amplitude ──────────────────────────────────────────────────────────────────────────────────

/** Amplitude's documented request limits for HTTP V2: events and bytes per request. */
export const AMPLITUDE_MAX_EVENTS = 2000;
export const AMPLITUDE_MAX_BYTES = 1024 * 1024;

export interface AmplitudeFake extends FakeVendorServer {
  /** The next `requests` requests carrying an event of these user or device ids are throttled (429). */
  throttle(ids: readonly string[], requests: number): void;
  /** These user or device ids exceeded their daily quota (429 naming them under exceeded_daily_quota_*). */
  exhaustDailyQuota(ids: readonly string[]): void;
}

/**
 * Events are keyed on `insert_id`; a repeated id is acknowledged and ignored, like Amplitude's dedup.
 * Bodies are checked against our JSON Schema of the HTTP V2 reference (400 with
 * `events_with_invalid_fields` / `events_with_missing_fields`); over 2000 events or 1 MB answers
 * 413; a throttled user/device answers 429 with the documented body and no `Retry-After`.
 */
export function createAmplitudeFake(opts: { apiKey: string }): AmplitudeFake {
  const bad = (body: Record<string, unknown>): FakeReply => ({ status: 400, body: { code: 400, ...body } });
  const throttled = new Map<string, number>();
  const overQuota = new Set<string>();
  const fake = new FakeVendorServer('amplitude', (req, f) => {
    if (req.path !== '/2/httpapi') return { status: 404, body: { code: 404, error: 'Not found' } };
    if (req.method !== 'POST') return { status: 405, body: { code: 405, error: 'Method not allowed' } };
    if (!isJson(req.headers)) return bad({ error: 'Content-Type must be application/json' });
    if (Buffer.byteLength(req.body) > AMPLITUDE_MAX_BYTES)
      return { status: 413, body: { code: 413, error: 'Payload too large' } };
    const json = parseJson(req.body);
    if (!json.ok) return bad({ error: `Invalid JSON request body: ${json.error}` });
    const top = json.value as Record<string, unknown> | null;
    for (const field of ['api_key', 'events']) {
      if (!top || typeof top !== 'object' || !(field in top))
        return bad({ error: 'Request missing required field', missing_field: field });
    }
    const checked = checkAmplitudeUpload(top);
    if (!checked.ok) return bad({ error: `Invalid request: ${checked.errors.join('; ')}` });
    const body = top as { api_key: string; events: unknown[]; options?: { min_id_length?: number } };
    if (body.api_key !== opts.apiKey) return bad({ error: 'Invalid API key' });
    if (body.events.length > AMPLITUDE_MAX_EVENTS)
      return { status: 413, body: { code: 413, error: 'Payload too large' } };
    const minId = body.options?.min_id_length ?? 5;
    const invalid: Record<string, number[]> = {};
    const missing: Record<string, number[]> = {};
    const note = (map: Record<string, number[]>, field: string, i: number) => {
      map[field] = [...(map[field] ?? []), i];
    };
    const events = body.events.map((raw, i) => {
      const e = checkAmplitudeEvent(raw);
      if (!e.ok) {
        for (const field of e.missing) note(missing, field, i);
        for (const field of e.invalid) note(invalid, field, i);
        if (e.missing.length === 0 && e.invalid.length === 0) note(invalid, 'event', i);
        return null;
      }
      const ev = raw as { user_id?: string; device_id?: string; insert_id?: string } & Record<
        string,
        unknown
      >;
      if (ev.user_id !== undefined && ev.user_id.length < minId) note(invalid, 'user_id', i);
      if (ev.device_id !== undefined && ev.device_id.length < minId) note(invalid, 'device_id', i);
      return ev;
    });
    if (Object.keys(invalid).length || Object.keys(missing).length) {
      return bad({
        error: 'Request has invalid or missing event fields',
        events_with_invalid_fields: invalid,
        events_with_missing_fields: missing,
      });
    }
    // throttling and quota, per user and device, as the documented 429 body reports them
    const t = {
      users: {} as Record<string, number>,
      devices: {} as Record<string, number>,
      events: [] as number[],
    };
    const q = { users: {} as Record<string, number>, devices: {} as Record<string, number> };
    events.forEach((e, i) => {
      const ids = [
        [e?.user_id, t.users, q.users],
        [e?.device_id, t.devices, q.devices],
      ] as const;
      for (const [id, throttledMap, quotaMap] of ids) {
        if (id === undefined) continue;
        if (overQuota.has(id)) quotaMap[id] = 500_001;
        if ((throttled.get(id) ?? 0) > 0) {
          throttledMap[id] = 31;
          if (!t.events.includes(i)) t.events.push(i);
        }
      }
    });
    const hit = new Set([...Object.keys(t.users), ...Object.keys(t.devices)]);
    if (hit.size > 0 || Object.keys(q.users).length || Object.keys(q.devices).length) {
      for (const id of hit) throttled.set(id, (throttled.get(id) ?? 1) - 1);
      return {
        status: 429,
        body: {
          code: 429,
          error: 'Too many requests for some devices and users',
          eps_threshold: 30,
          throttled_devices: t.devices,
          throttled_users: t.users,
          throttled_events: t.events,
          exceeded_daily_quota_devices: q.devices,
          exceeded_daily_quota_users: q.users,
        },
      };
    }
    for (const e of events) if (e) f.upsert(e.insert_id ?? randomUUID(), e, false);
    return {
      status: 200,
      body: {
        code: 200,
        events_ingested: events.length,
        payload_size_bytes: Buffer.byteLength(req.body),
        server_upload_time: Date.now(),
      },
    };
  }) as AmplitudeFake;
  fake.throttle = (ids, requests) => {
    for (const id of ids) throttled.set(id, requests);
  };
  fake.exhaustDailyQuota = (ids) => {
    for (const id of ids) overQuota.add(id);
  };
  return fake;
}

// ── Webhook receiver ───────────────────────────────────────────────────────────────────────────

const WebhookBodyShape = z
  .object({
    type: z.literal(WEBHOOK_EVENT_TYPE),
    version: z.literal(1),
    session_id: z.string().min(1),
    pii_mode: z.enum(['full', 'hashed', 'none']),
    data: z.object({ session_id: z.string(), score: z.object({ tier: z.string() }).loose() }).loose(),
  })
  .strict();

/** A receiver written the way we tell customers to: verify, then dedup on Idempotency-Key. */
export function createWebhookReceiver(opts: {
  secret: string;
  path?: string;
  toleranceS?: number;
}): FakeVendorServer {
  const path = opts.path ?? '/hooks/signalroom';
  return new FakeVendorServer('webhook', (req, fake) => {
    if (req.path !== path) return { status: 404, body: { error: 'not_found' } };
    if (req.method !== 'POST') return { status: 405, body: { error: 'method_not_allowed' } };
    if (!isJson(req.headers)) return { status: 415, body: { error: 'unsupported_media_type' } };
    const header = (name: string) => {
      const v = req.headers[name.toLowerCase()];
      return Array.isArray(v) ? v[0] : v;
    };
    const verified = verifyWebhookSignature({
      secret: opts.secret,
      body: req.body,
      timestamp: header(WEBHOOK_TIMESTAMP_HEADER),
      signature: header(WEBHOOK_SIGNATURE_HEADER),
      toleranceS: opts.toleranceS,
    });
    if (!verified.ok) return { status: 401, body: { error: verified.reason } };
    const key = header('Idempotency-Key');
    if (!key) return { status: 400, body: { error: 'missing Idempotency-Key' } };
    const json = parseJson(req.body);
    if (!json.ok) return { status: 400, body: { error: `invalid JSON: ${json.error}` } };
    const parsed = WebhookBodyShape.safeParse(json.value);
    if (!parsed.success) return { status: 400, body: { error: issues(parsed.error) } };
    if (parsed.data.session_id !== key)
      return { status: 400, body: { error: 'Idempotency-Key does not match session_id' } };
    const created = fake.upsert(key, parsed.data as Record<string, unknown>, false);
    return { status: 200, body: { received: true, duplicate: !created } };
  });
}
