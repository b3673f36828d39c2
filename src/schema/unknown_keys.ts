/**
 * The unknown-key contract of the session payload: **accepted and kept**.
 *
 * A key the schema does not name (a field a newer agent added, anywhere in the payload) is valid:
 * zod keeps it in its output, the JSON Schema says `additionalProperties: {}` for every object, the
 * worker stores it with the payload and counts it (`unknownKeyPaths`). Why not reject: an older
 * worker would dead-letter every call of a newer agent. Why not drop (zod's default): the data
 * would be lost without a word. Known fields are still checked in full, so a misspelt required
 * field is still an error (it is missing), only its misspelling travels along.
 *
 * `keepUnknownKeys(schema)` rewrites a schema built with plain `z.object` (strip) or `.strict()`
 * into one whose every object keeps unknown keys; the declared schema stays readable and
 * field additions stay one-line edits.
 */
import { z } from 'zod';

/** The parts of a zod 4 definition rewritten here. */
interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
  element?: z.ZodType;
  innerType?: z.ZodType;
  options?: readonly z.ZodType[];
  items?: readonly z.ZodType[];
  rest?: z.ZodType | null;
  valueType?: z.ZodType;
  discriminator?: string;
}

const defOf = (s: z.ZodType): Def => s._zod.def as unknown as Def;
const cloneWith = <T extends z.ZodType>(s: T, changes: Partial<Def>): T =>
  s.clone({ ...(s._zod.def as object), ...changes } as T['_zod']['def']) as T;

/** `schema` with every object in it keeping unknown keys (`catchall: unknown`). Same type. */
export function keepUnknownKeys<T extends z.ZodType>(schema: T): T {
  const def = defOf(schema);
  switch (def.type) {
    case 'object': {
      const shape: Record<string, z.ZodType> = {};
      for (const [k, v] of Object.entries(def.shape ?? {})) shape[k] = keepUnknownKeys(v);
      return cloneWith(schema, { shape, catchall: z.unknown() });
    }
    case 'array':
      return cloneWith(schema, { element: keepUnknownKeys(def.element as z.ZodType) });
    case 'optional':
    case 'nullable':
      return cloneWith(schema, { innerType: keepUnknownKeys(def.innerType as z.ZodType) });
    case 'union':
      return cloneWith(schema, { options: (def.options ?? []).map((o) => keepUnknownKeys(o)) });
    case 'tuple':
      return cloneWith(schema, {
        items: (def.items ?? []).map((i) => keepUnknownKeys(i)),
        rest: def.rest ? keepUnknownKeys(def.rest) : null,
      });
    case 'record':
      return cloneWith(schema, { valueType: keepUnknownKeys(def.valueType as z.ZodType) });
    default:
      return schema;
  }
}

/**
 * Walks `value` along `schema` and hands every value under a key the schema does not name to
 * `onUnknown` (with the key's path, built on demand: `turns[].sentiment`, `agent.build`), which
 * returns what to put there. Returns `value` itself when nothing was replaced, else a copy that
 * shares every unchanged part. Records and `unknown` values hold any key: not visited. Reads only
 * what validation already accepted, so it assumes the shape is right where the schema names it.
 * `stop` ends the walk early (what was not visited is kept as it is).
 */
function walkUnknown<T>(
  schema: z.ZodType,
  value: T,
  onUnknown: (path: () => string, value: unknown) => unknown,
  stop: () => boolean = () => false,
): T {
  const clean = value !== null && typeof value === 'object' ? cleanUnder(schema) : undefined;
  if (clean?.has(value as object)) return value;
  let sawUnknown = false;
  const segments: string[] = [];
  const path = () => segments.join('');
  /** `v` with each element replaced by `each(element, index)`; `v` itself when none changed. */
  const mapArray = (v: unknown[], each: (x: unknown, i: number) => unknown): unknown[] => {
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const y = each(v[i], i);
      if (y !== v[i]) {
        out ??= [...v];
        out[i] = y;
      }
    }
    return out ?? v;
  };
  const visit = (s: z.ZodType, v: unknown): unknown => {
    if (stop() || v === null || v === undefined) return v;
    const def = defOf(s);
    switch (def.type) {
      case 'object': {
        if (typeof v !== 'object' || Array.isArray(v)) return v;
        const shape = def.shape ?? {};
        let out: Record<string, unknown> | undefined;
        for (const [k, x] of Object.entries(v)) {
          segments.push(segments.length > 0 ? `.${k}` : k);
          const child = shape[k];
          let y = x;
          if (child) y = visit(child, x);
          else if (!stop()) {
            sawUnknown = true;
            y = onUnknown(path, x);
          }
          segments.pop();
          if (y !== x) {
            out ??= { ...(v as Record<string, unknown>) };
            out[k] = y;
          }
        }
        return out ?? v;
      }
      case 'array':
        if (!Array.isArray(v)) return v;
        segments.push('[]');
        try {
          return mapArray(v, (x) => visit(def.element as z.ZodType, x));
        } finally {
          segments.pop();
        }
      case 'optional':
      case 'nullable':
        return visit(def.innerType as z.ZodType, v);
      case 'tuple': {
        if (!Array.isArray(v)) return v;
        const items = def.items ?? [];
        return mapArray(v, (x, i) => {
          const item = items[i];
          if (!item) return x;
          segments.push(`[${i}]`);
          try {
            return visit(item, x);
          } finally {
            segments.pop();
          }
        });
      }
      case 'union': {
        const key = def.discriminator;
        if (key === undefined || typeof v !== 'object') return v;
        const tag = (v as Record<string, unknown>)[key];
        const option = (def.options ?? []).find((o) => {
          const tagSchema = defOf(o).shape?.[key];
          return tagSchema !== undefined && tagSchema.safeParse(tag).success;
        });
        return option ? visit(option, v) : v;
      }
      default:
        return v;
    }
  };
  const out = visit(schema, value) as T;
  if (clean && !sawUnknown && !stop()) clean.add(value as object);
  return out;
}

/**
 * Values walked to the end with no unknown key, per schema. The worker walks each payload for
 * unknown keys up to three times (counting them, then masking them for the warehouse and for the
 * webhook), about 0.1 ms a walk for 30 turns; a payload found clean is not walked again. Payloads
 * are not changed after parsing, so the answer stays true.
 */
const cleanValues = new WeakMap<z.ZodType, WeakSet<object>>();
function cleanUnder(schema: z.ZodType): WeakSet<object> {
  let set = cleanValues.get(schema);
  if (set === undefined) {
    set = new WeakSet();
    cleanValues.set(schema, set);
  }
  return set;
}

/**
 * Where `value` has keys `schema` does not name, as paths (`turns[].sentiment`, `agent.build`),
 * each once, at most `max` of them (the walk stops there).
 */
export function unknownKeyPaths(schema: z.ZodType, value: unknown, max = 50): string[] {
  const found = new Set<string>();
  walkUnknown(
    schema,
    value,
    (path, v) => {
      found.add(path());
      return v;
    },
    () => found.size >= max,
  );
  return [...found];
}

/** A copy of `v` with `fn` applied to every string in it, keys kept. */
function mapAllStrings(v: unknown, fn: (s: string) => string): unknown {
  if (typeof v === 'string') return fn(v);
  if (Array.isArray(v)) return v.map((x) => mapAllStrings(x, fn));
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = mapAllStrings(x, fn);
    return out;
  }
  return v;
}

/**
 * `value` with `fn` applied to every string under a key `schema` does not name (the values a newer
 * agent added, which no PII policy of this worker knows), everything else unchanged. Returns
 * `value` itself when it has no unknown key.
 */
export function mapUnknownStrings<T>(schema: z.ZodType, value: T, fn: (s: string) => string): T {
  return walkUnknown(schema, value, (_path, v) => mapAllStrings(v, fn));
}
