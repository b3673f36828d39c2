/** `npm run schema`: writes the payload's JSON Schema to `schema/session-payload.v1.json`. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { renderJsonSchema, renderProgressJsonSchema } from './json_schema.js';

export const JSON_SCHEMA_PATH = resolve(import.meta.dirname, '../../schema/session-payload.v1.json');
export const PROGRESS_JSON_SCHEMA_PATH = resolve(
  import.meta.dirname,
  '../../schema/progress-snapshot.v1.json',
);

mkdirSync(dirname(JSON_SCHEMA_PATH), { recursive: true });
writeFileSync(JSON_SCHEMA_PATH, renderJsonSchema());
console.log(`wrote ${JSON_SCHEMA_PATH}`);
writeFileSync(PROGRESS_JSON_SCHEMA_PATH, renderProgressJsonSchema());
console.log(`wrote ${PROGRESS_JSON_SCHEMA_PATH}`);
