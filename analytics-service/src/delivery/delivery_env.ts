/** Env sections for retry and parking (composed by the worker's config loader). */
import { z } from 'zod';

export const DeliveryEnv = z.object({
  DELIVERY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(5),
  DELIVERY_DEADLINE_MS: z.coerce.number().int().positive().default(60_000),
  DELIVERY_BASE_DELAY_MS: z.coerce.number().int().positive().default(500),
  DELIVERY_MAX_DELAY_MS: z.coerce.number().int().positive().default(30_000),
  /** Directory of the file-based parked store. */
  PARKED_DIR: z.string().min(1).default('.data/parked'),
});
export type DeliveryEnv = z.infer<typeof DeliveryEnv>;
