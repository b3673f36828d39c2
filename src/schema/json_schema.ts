import { z } from 'zod';
import { ProgressSnapshotV1 } from './progress_snapshot.js';
import { SessionPayloadV1 } from './session_payload.js';

/** The JSON Schema of payload v1, as committed in `schema/session-payload.v1.json`. */
export function sessionPayloadJsonSchema(): Record<string, unknown> {
  return {
    $id: 'https://signalroom.dev/schema/session-payload.v1.json',
    title: 'SignalRoom session payload v1',
    ...z.toJSONSchema(SessionPayloadV1, { target: 'draft-2020-12' }),
  };
}

export const renderJsonSchema = (): string => `${JSON.stringify(sessionPayloadJsonSchema(), null, 2)}\n`;

/** The JSON Schema of progress snapshot v1 (`kind=progress` messages), as committed in `schema/progress-snapshot.v1.json`. */
export function progressSnapshotJsonSchema(): Record<string, unknown> {
  return {
    $id: 'https://signalroom.dev/schema/progress-snapshot.v1.json',
    title: 'SignalRoom progress snapshot v1',
    ...z.toJSONSchema(ProgressSnapshotV1, { target: 'draft-2020-12' }),
  };
}

export const renderProgressJsonSchema = (): string =>
  `${JSON.stringify(progressSnapshotJsonSchema(), null, 2)}\n`;
