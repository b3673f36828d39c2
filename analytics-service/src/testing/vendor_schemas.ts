/**
 * JSON Schemas of the request bodies the vendor fakes accept: our own, written from each vendor's
 * published reference for the parts we use (not copied from their OpenAPI files), and checked with
 * a real JSON Schema validator (ajv), so a fake is at least as strict as the vendor.
 *
 * - HubSpot `POST /crm/v3/objects/contacts/batch/upsert`: `{inputs: [{id, idProperty?, properties,
 *   objectWriteTraceId?}]}`; property values are strings (HubSpot's reference types `properties` as
 *   a string map; numbers, booleans and null are refused). At most 100 inputs: HubSpot's CRM guides
 *   state batch endpoints take up to 100 records per request (the upsert reference page itself names
 *   no cap; our destination sends one input per request either way).
 * - Salesforce Lead upsert by external id: a flat object of field values (string, number, boolean or
 *   null); `Id` and the external id field may not be in it (checked by the fake: the field name is
 *   configured).
 * - Amplitude HTTP V2 `POST /2/httpapi`: `{api_key, events: [event], options?}`; an event needs
 *   `event_type` and a `user_id` or `device_id` of at least `min_id_length` (default 5) characters;
 *   `time` is milliseconds since the epoch; only the documented event fields are accepted.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

export const HUBSPOT_MAX_BATCH_INPUTS = 100;

export const hubspotBatchUpsertSchema = {
  $id: 'hubspot.contacts.batch.upsert',
  type: 'object',
  required: ['inputs'],
  additionalProperties: false,
  properties: {
    inputs: {
      type: 'array',
      minItems: 1,
      maxItems: HUBSPOT_MAX_BATCH_INPUTS,
      items: {
        type: 'object',
        required: ['id', 'properties'],
        additionalProperties: false,
        properties: {
          id: { type: 'string', minLength: 1 },
          idProperty: { type: 'string', minLength: 1 },
          objectWriteTraceId: { type: 'string' },
          properties: { type: 'object', additionalProperties: { type: 'string' } },
        },
      },
    },
  },
} as const;

export const salesforceSObjectSchema = {
  $id: 'salesforce.sobject.upsert',
  type: 'object',
  propertyNames: { pattern: '^[A-Za-z][A-Za-z0-9_]*$' },
  additionalProperties: { type: ['string', 'number', 'boolean', 'null'] },
} as const;

/** Event fields of the HTTP V2 reference (keys of one upload event). */
const AMPLITUDE_EVENT_FIELDS = {
  user_id: { type: 'string' },
  device_id: { type: 'string' },
  event_type: { type: 'string', minLength: 1 },
  /** Milliseconds since the epoch: a seconds value (before 2001 in ms) is refused. */
  time: { type: 'integer', minimum: 1_000_000_000_000 },
  event_properties: { type: 'object' },
  user_properties: { type: 'object' },
  groups: { type: 'object' },
  app_version: { type: 'string' },
  platform: { type: 'string' },
  os_name: { type: 'string' },
  os_version: { type: 'string' },
  device_brand: { type: 'string' },
  device_manufacturer: { type: 'string' },
  device_model: { type: 'string' },
  carrier: { type: 'string' },
  country: { type: 'string' },
  region: { type: 'string' },
  city: { type: 'string' },
  dma: { type: 'string' },
  language: { type: 'string' },
  price: { type: 'number' },
  quantity: { type: 'integer' },
  revenue: { type: 'number' },
  productId: { type: 'string' },
  revenueType: { type: 'string' },
  location_lat: { type: 'number' },
  location_lng: { type: 'number' },
  ip: { type: 'string' },
  idfa: { type: 'string' },
  idfv: { type: 'string' },
  adid: { type: 'string' },
  android_id: { type: 'string' },
  event_id: { type: 'integer' },
  session_id: { type: 'integer' },
  insert_id: { type: 'string', minLength: 1 },
  plan: { type: 'object' },
  ingestion_metadata: { type: 'object' },
  partner_id: { type: 'string' },
} as const;

export const amplitudeUploadSchema = {
  $id: 'amplitude.httpapi.v2',
  type: 'object',
  required: ['api_key', 'events'],
  additionalProperties: false,
  properties: {
    api_key: { type: 'string', minLength: 1 },
    events: { type: 'array', minItems: 1 },
    options: {
      type: 'object',
      additionalProperties: false,
      properties: { min_id_length: { type: 'integer', minimum: 1 } },
    },
  },
} as const;

export const amplitudeEventSchema = {
  $id: 'amplitude.httpapi.v2.event',
  type: 'object',
  required: ['event_type'],
  additionalProperties: false,
  properties: AMPLITUDE_EVENT_FIELDS,
  anyOf: [{ required: ['user_id'] }, { required: ['device_id'] }],
} as const;

const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });

export interface SchemaCheck {
  ok: boolean;
  /** `path: message` for each failure. */
  errors: string[];
  /** Top-level fields with a wrong value (e.g. an event's `time`). */
  invalid: string[];
  /** Top-level fields that are required and absent (for an event without ids: `user_id`). */
  missing: string[];
}

const describe = (e: ErrorObject) => {
  const where =
    e.keyword === 'additionalProperties'
      ? `${e.instancePath}/${(e.params as { additionalProperty: string }).additionalProperty}`
      : e.keyword === 'required'
        ? `${e.instancePath}/${(e.params as { missingProperty: string }).missingProperty}`
        : e.instancePath;
  return { where: where || '(body)', text: `${where || '(body)'}: ${e.message ?? e.keyword}` };
};

function checker(schema: object): (value: unknown) => SchemaCheck {
  const validate: ValidateFunction = ajv.compile(schema);
  return (value) => {
    if (validate(value)) return { ok: true, errors: [], invalid: [], missing: [] };
    const errors = validate.errors ?? [];
    const described = errors.map(describe);
    const top = (d: { where: string }) => d.where.split('/')[1];
    const missing = errors.some((e) => e.keyword === 'anyOf') ? ['user_id'] : [];
    for (const [i, e] of errors.entries()) {
      const field = top(described[i]!);
      if (e.keyword === 'required' && field && !['user_id', 'device_id'].includes(field)) missing.push(field);
    }
    const invalid = errors.flatMap((e, i) => {
      const field = top(described[i]!);
      return e.keyword === 'required' || e.keyword === 'anyOf' || !field ? [] : [field];
    });
    return {
      ok: false,
      errors: described.map((d) => d.text),
      invalid: [...new Set(invalid)],
      missing: [...new Set(missing)],
    };
  };
}

export const checkHubSpotBatchUpsert = checker(hubspotBatchUpsertSchema);
export const checkSalesforceSObject = checker(salesforceSObjectSchema);
export const checkAmplitudeUpload = checker(amplitudeUploadSchema);
export const checkAmplitudeEvent = checker(amplitudeEventSchema);
