/**
 * A fast path for validation, compiled from a zod schema: `check(value)` is `true` only when zod
 * would accept `value` and return a value equal to it (nothing stripped, transformed or
 * defaulted). `false` means "ask zod": the value may be invalid, or valid with keys zod strips.
 *
 * Why: zod builds a copy of everything it parses. For a session payload fresh from `JSON.parse`,
 * that copy is most of the validation's cost (about 70 µs and 32 KB of garbage per 5 KB payload
 * on the worker bench's machine), and the copy equals the parsed value whenever the payload is
 * exactly the schema's shape, which is what the plugin sends. So the worker checks without copying
 * and only calls zod when the check does not vouch for the value; zod stays the one that judges,
 * and the one that names the problem.
 *
 * The check is built from the schema's own definition (`_zod.def`), so it follows the schema as it
 * changes. Only constructs whose zod behaviour it reproduces exactly are compiled; any other
 * (a refinement, a transform, a default, a catch-all, a string format other than a pattern) throws
 * `UnsupportedSchema` when the check is compiled, not a wrong answer later.
 *
 * It is meant for values fresh from `JSON.parse` (plain objects and arrays, no holes, no symbols):
 * anything else it either leaves to zod or, for exotic values, may not judge as zod would.
 * One difference from zod's copy: an object's keys keep the order they came in, where zod's copy
 * lists them in the schema's order. Nothing reads payloads by key order.
 */

/** The parts of a zod 4 schema definition the compiler reads (`defOf(schema)`). */
interface Def {
  type: string;
  checks?: readonly Schema[];
  // string formats (`z.iso.datetime()`) and the checks in `checks`
  check?: string;
  format?: string;
  pattern?: RegExp;
  minimum?: number;
  maximum?: number;
  length?: number;
  value?: unknown;
  inclusive?: boolean;
  // composites
  innerType?: Schema;
  element?: Schema;
  items?: readonly Schema[];
  rest?: Schema | null;
  shape?: Record<string, Schema>;
  catchall?: Schema;
  keyType?: Schema;
  valueType?: Schema;
  options?: readonly Schema[];
  discriminator?: string;
  values?: readonly unknown[];
  entries?: Record<string, unknown>;
}

/** Any zod 4 schema (or check): the compiler only reads its definition. */
export interface Schema {
  _zod: { def: object };
}

const defOf = (schema: Schema): Def => schema._zod.def as Def;

export type ExactCheck = (value: unknown) => boolean;

export class UnsupportedSchema extends Error {
  override readonly name = 'UnsupportedSchema';
}

/** String formats whose zod check is exactly a test of the definition's `pattern`. */
const PATTERN_FORMATS = new Set(['datetime', 'date', 'time', 'uuid', 'regex']);

/** An object as JSON.parse makes them (a Date, a Map or a class instance is left to zod). */
function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** A length or size check (`min`, `max`, `length`) on strings and arrays. */
function lengthCheck(def: Def, path: string): (n: number) => boolean {
  switch (def.check) {
    case 'min_length': {
      const min = def.minimum as number;
      return (n) => n >= min;
    }
    case 'max_length': {
      const max = def.maximum as number;
      return (n) => n <= max;
    }
    case 'length_equals': {
      const len = def.length as number;
      return (n) => n === len;
    }
    default:
      throw new UnsupportedSchema(`${path}: check ${def.check} is not compiled`);
  }
}

function all<T>(checks: readonly ((v: T) => boolean)[]): (v: T) => boolean {
  if (checks.length === 0) return () => true;
  if (checks.length === 1) return checks[0] as (v: T) => boolean;
  return (v) => {
    for (const c of checks) if (!c(v)) return false;
    return true;
  };
}

function stringCheck(def: Def, path: string): ExactCheck {
  const checks: ((s: string) => boolean)[] = [];
  const addFormat = (d: Def) => {
    if (!PATTERN_FORMATS.has(d.format ?? '') || !(d.pattern instanceof RegExp)) {
      throw new UnsupportedSchema(`${path}: string format ${d.format} is not compiled`);
    }
    // As zod tests it: from position 0, flags kept (a sticky pattern matches only there).
    const pattern = new RegExp(d.pattern.source, d.pattern.flags);
    checks.push((s) => {
      pattern.lastIndex = 0;
      return pattern.test(s);
    });
  };
  // A format schema (`z.iso.datetime()`) is its own first check.
  if (def.check === 'string_format') addFormat(def);
  for (const c of def.checks ?? []) {
    const d = defOf(c);
    if (d.check === 'string_format') addFormat(d);
    else {
      const len = lengthCheck(d, path);
      checks.push((s) => len(s.length));
    }
  }
  const rest = all(checks);
  return (v) => typeof v === 'string' && rest(v);
}

function numberCheck(def: Def, path: string): ExactCheck {
  const checks: ((n: number) => boolean)[] = [];
  for (const c of def.checks ?? []) {
    const d = defOf(c);
    switch (d.check) {
      case 'number_format':
        if (d.format !== 'safeint')
          throw new UnsupportedSchema(`${path}: number format ${d.format} is not compiled`);
        checks.push(Number.isSafeInteger);
        break;
      case 'greater_than': {
        const min = d.value as number;
        checks.push(d.inclusive ? (n) => n >= min : (n) => n > min);
        break;
      }
      case 'less_than': {
        const max = d.value as number;
        checks.push(d.inclusive ? (n) => n <= max : (n) => n < max);
        break;
      }
      default:
        throw new UnsupportedSchema(`${path}: check ${d.check} is not compiled`);
    }
  }
  const rest = all(checks);
  return (v) => typeof v === 'number' && Number.isFinite(v) && rest(v);
}

function noChecks(def: Def, path: string): void {
  if (def.checks !== undefined && def.checks.length > 0) {
    const kinds = def.checks.map((c) => defOf(c).check).join(', ');
    throw new UnsupportedSchema(`${path}: ${def.type} checks (${kinds}) are not compiled`);
  }
}

function objectCheck(def: Def, path: string): ExactCheck {
  noChecks(def, path);
  // `.strict()` sets a `never` catch-all (an unknown key fails); `.loose()` an `unknown` one (zod
  // keeps unknown keys as they are). Other catch-alls are not compiled.
  const catchall = def.catchall === undefined ? undefined : defOf(def.catchall).type;
  if (catchall !== undefined && catchall !== 'never' && catchall !== 'unknown') {
    throw new UnsupportedSchema(`${path}: an object catch-all is not compiled`);
  }
  const keepsUnknown = catchall === 'unknown';
  const fields = Object.entries(def.shape ?? {}).map(([key, schema]) => {
    const d = defOf(schema);
    const optional = d.type === 'optional';
    return {
      key,
      optional,
      check: compileAt(optional ? (d.innerType as Schema) : schema, `${path}.${key}`),
    };
  });
  return (v) => {
    if (!isPlainObject(v)) return false;
    let present = 0;
    for (const f of fields) {
      const x = v[f.key];
      if (x === undefined && !(f.key in v)) {
        if (!f.optional) return false;
        continue;
      }
      present++;
      if (!f.check(x)) return false;
    }
    // A key the schema does not name: zod would strip it (or refuse it, if strict). (An inherited
    // enumerable key counts too, which only sends the value to zod.)
    let keys = 0;
    for (const k in v) {
      keys++;
      // Kept by a loose object, except a key zod's copy would turn into the prototype.
      if (keepsUnknown && (k === '__proto__' || !Object.hasOwn(v, k))) return false;
    }
    return keepsUnknown || keys === present;
  };
}

/** A union whose options zod tries in order: compiled only when each option's check is exact. */
function unionCheck(def: Def, path: string): ExactCheck {
  const options = def.options ?? [];
  if (def.discriminator !== undefined) {
    const key = def.discriminator;
    const byValue = new Map<unknown, ExactCheck>();
    options.forEach((option, i) => {
      const tagSchema = defOf(option).shape?.[key];
      const tag = tagSchema && defOf(tagSchema);
      const values =
        tag?.type === 'literal'
          ? tag.values
          : tag?.type === 'enum'
            ? Object.values(tag.entries ?? {})
            : undefined;
      if (values === undefined) throw new UnsupportedSchema(`${path}: option ${i} has no literal ${key}`);
      const check = compileAt(option, `${path}<${key}=${values.join('|')}>`);
      for (const value of values) byValue.set(value, check);
    });
    return (v) => {
      if (!isPlainObject(v)) return false;
      const check = byValue.get(v[key]);
      return check?.(v) === true;
    };
  }
  // zod returns the first option that accepts: with only scalar options, whichever accepts
  // returns the value itself, so any accepting option is the right answer.
  const SCALARS = new Set(['string', 'number', 'boolean', 'literal', 'enum', 'null']);
  for (const option of options) {
    if (!SCALARS.has(defOf(option).type)) {
      throw new UnsupportedSchema(`${path}: a union of ${defOf(option).type} is not compiled`);
    }
  }
  const checks = options.map((o, i) => compileAt(o, `${path}|${i}`));
  return (v) => {
    for (const c of checks) if (c(v)) return true;
    return false;
  };
}

function compileAt(schema: Schema, path: string): ExactCheck {
  const def = defOf(schema);
  switch (def.type) {
    case 'string':
      return stringCheck(def, path);
    case 'number':
      return numberCheck(def, path);
    case 'boolean':
      noChecks(def, path);
      return (v) => typeof v === 'boolean';
    case 'null':
      return (v) => v === null;
    case 'unknown':
    case 'any':
      // zod hands these back as they are.
      return () => true;
    case 'literal':
    case 'enum': {
      const values = def.type === 'literal' ? (def.values ?? []) : Object.values(def.entries ?? {});
      // (A native enum's entries also map numbers back to names: only string enums are compiled.)
      const ok = (x: unknown) => typeof x === 'string' || (def.type === 'literal' && typeof x === 'number');
      if (!values.every(ok)) {
        throw new UnsupportedSchema(`${path}: ${def.type} of values other than strings is not compiled`);
      }
      const set = new Set(values);
      return (v) => set.has(v);
    }
    case 'nullable': {
      const inner = compileAt(def.innerType as Schema, path);
      return (v) => v === null || inner(v);
    }
    case 'optional': {
      const inner = compileAt(def.innerType as Schema, path);
      return (v) => v === undefined || inner(v);
    }
    case 'array': {
      const element = compileAt(def.element as Schema, `${path}[]`);
      const sizes = all((def.checks ?? []).map((c) => lengthCheck(defOf(c), path)));
      return (v) => {
        if (!Array.isArray(v) || !sizes(v.length)) return false;
        for (const x of v) if (!element(x)) return false;
        return true;
      };
    }
    case 'tuple': {
      noChecks(def, path);
      if (def.rest) throw new UnsupportedSchema(`${path}: a tuple with a rest element is not compiled`);
      const items = (def.items ?? []).map((item, i) => {
        if (defOf(item).type === 'optional') {
          throw new UnsupportedSchema(`${path}[${i}]: an optional tuple item is not compiled`);
        }
        return compileAt(item, `${path}[${i}]`);
      });
      return (v) => {
        if (!Array.isArray(v) || v.length !== items.length) return false;
        for (let i = 0; i < items.length; i++) if (!(items[i] as ExactCheck)(v[i])) return false;
        return true;
      };
    }
    case 'record': {
      noChecks(def, path);
      const keyDef = defOf(def.keyType as Schema);
      if (keyDef.type !== 'string' || (keyDef.checks?.length ?? 0) > 0 || keyDef.check !== undefined) {
        throw new UnsupportedSchema(`${path}: only records keyed by a plain string are compiled`);
      }
      const value = compileAt(def.valueType as Schema, `${path}{}`);
      return (v) => {
        if (!isPlainObject(v)) return false;
        for (const k in v) {
          if (!Object.hasOwn(v, k)) continue;
          // zod's copy would set the prototype instead of a key by that name.
          if (k === '__proto__' || !value(v[k])) return false;
        }
        return true;
      };
    }
    case 'object':
      return objectCheck(def, path);
    case 'union':
      return unionCheck(def, path);
    default:
      throw new UnsupportedSchema(`${path}: ${def.type} is not compiled`);
  }
}

/**
 * Compiles `schema` into a check that says `true` only when zod would accept a value and return
 * one equal to it. Throws `UnsupportedSchema`, naming the path, for anything it cannot reproduce.
 */
export function compileExactCheck(schema: Schema): ExactCheck {
  return compileAt(schema, '(root)');
}
