// fast-check arbitraries from a tool's inputSchema (the JSON Schema that tools/list returns), and
// hostile mutations of the values they produce: wrong types, unknown fields, huge strings,
// unicode, nulls, deep nesting, numbers out of range, prototype-pollution keys.
import fc from 'fast-check';

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  enum?: unknown[];
  const?: unknown;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
}

export type Args = Record<string, unknown>;

/** Per property name: an arbitrary to use instead of the schema's (e.g. short waits). */
export type Overrides = Record<string, fc.Arbitrary<unknown>>;

const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'];

/** A plain object with exactly these own properties, `__proto__` included as data (as JSON.parse makes it). */
export function ownObject(entries: [string, unknown][]): Args {
  const out: Args = {};
  for (const [key, value] of entries) Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  return out;
}

const text = (minLength = 0, maxLength = 24) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.string({ minLength, maxLength }) },
    { weight: 2, arbitrary: fc.string({ minLength, maxLength, unit: 'grapheme' }) },
    { weight: 1, arbitrary: fc.string({ minLength, maxLength, unit: 'binary' }) },
  );

const anyJson: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 2 });

/** Values that match the schema (as far as JSON Schema says: cross-field rules are not known here). */
export function valueOf(schema: JsonSchema, overrides: Overrides = {}): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alternatives = schema.oneOf ?? schema.anyOf;
  if (alternatives) return fc.oneof(...alternatives.map((s) => valueOf(s, overrides)));
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      return stringOf(schema);
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1_000_000, max: schema.maximum ?? 1_000_000 });
    case 'number': {
      const min = schema.minimum ?? schema.exclusiveMinimum ?? -1e6;
      const max = schema.maximum ?? schema.exclusiveMaximum ?? 1e6;
      return fc
        .double({ min, max, noNaN: true, noDefaultInfinity: true })
        .filter((n) => (schema.exclusiveMinimum === undefined || n > schema.exclusiveMinimum) && (schema.exclusiveMaximum === undefined || n < schema.exclusiveMaximum));
    }
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(schema.items ? valueOf(schema.items, overrides) : anyJson, {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 4, Math.max(schema.minItems ?? 0, 4)),
      });
    case 'object':
      return objectOf(schema, overrides);
    default:
      return anyJson;
  }
}

function stringOf(schema: JsonSchema): fc.Arbitrary<string> {
  if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length <= (schema.maxLength ?? Infinity));
  if (schema.format === 'uri') return fc.webUrl();
  const min = schema.minLength ?? 0;
  return text(min, Math.min(schema.maxLength ?? 24, Math.max(min, 24)));
}

function objectOf(schema: JsonSchema, overrides: Overrides): fc.Arbitrary<Args> {
  const properties = schema.properties ?? {};
  if (Object.keys(properties).length > 0) {
    const shape: Record<string, fc.Arbitrary<unknown>> = {};
    for (const [name, sub] of Object.entries(properties)) shape[name] = overrides[name] ?? valueOf(sub, overrides);
    return fc.record(shape, { requiredKeys: schema.required ?? [] });
  }
  if (schema.additionalProperties === false) return fc.constant({});
  const values = typeof schema.additionalProperties === 'object' ? valueOf(schema.additionalProperties, overrides) : anyJson;
  const keys = schema.propertyNames ? stringOf({ type: 'string', ...schema.propertyNames }) : text(0, 12);
  return fc.dictionary(keys, values, { maxKeys: 4 });
}

// ---- mutations ---------------------------------------------------------------------------------

/** A value of some other JSON type than `value` has. */
export function wrongTypeFor(value: unknown): fc.Arbitrary<unknown> {
  const all: [string, fc.Arbitrary<unknown>][] = [
    ['string', text()],
    ['number', fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }))],
    ['boolean', fc.boolean()],
    ['null', fc.constant(null)],
    ['array', fc.array(anyJson, { maxLength: 3 })],
    ['object', fc.dictionary(text(1, 8), anyJson, { maxKeys: 3 })],
  ];
  const kind = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  return fc.oneof(...all.filter(([k]) => k !== kind).map(([, a]) => a));
}

/** Strings that stress a parser: very long, odd unicode, control characters, path tricks. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.integer({ min: 100_000, max: 1_100_000 }).map((n) => 'x'.repeat(n)),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '\uD800',
    '\uDFFF\uD800',
    '\u202Egnp.exe',
    '\uFEFF',
    'Z\u0351\u0366\u0345\u0353',
    '👩‍👩‍👧‍👦',
    '../../../../etc/passwd',
    '/etc/passwd',
    '%00',
    '${HOME}',
    '$(id)',
    '`id`',
    "'; DROP TABLE runs; --",
    "' OR BatonKind != 'x",
    '\\',
    '\r\n',
    'NaN',
    '1e309',
    '-0',
    '__proto__',
  ),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 64 }),
);

export const outOfRangeNumber: fc.Arbitrary<number> = fc.constantFrom(
  -1,
  -0.5,
  0.5,
  1e21,
  -1e21,
  1e308,
  -1e308,
  Number.MAX_SAFE_INTEGER + 2,
  Number.MIN_SAFE_INTEGER - 2,
  5e-324,
  2 ** 31,
  2 ** 53,
);

/** Arrays or objects nested 50 to maxDepth levels deep. */
export function deepNesting(maxDepth: number): fc.Arbitrary<unknown> {
  return fc.tuple(fc.integer({ min: 50, max: maxDepth }), fc.boolean()).map(([depth, arrays]) => {
    let value: unknown = 'bottom';
    for (let i = 0; i < depth; i++) value = arrays ? [value] : { a: value };
    return value;
  });
}

/** An object carrying prototype-pollution keys (as own data properties). */
export const pollutingObject: fc.Arbitrary<Args> = fc.subarray(PROTO_KEYS, { minLength: 1 }).map((keys) =>
  ownObject(
    keys.map((k) => [
      k,
      ownObject([
        ['polluted', true],
        ['toString', 'x'],
        ['__proto__', { admin: true }],
      ]),
    ]),
  ),
);

export const unknownKey: fc.Arbitrary<string> = fc.oneof(fc.constantFrom(...PROTO_KEYS), text(1, 16), fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }));

export type Mutation =
  | { kind: 'wrong_type'; key: string; value: unknown }
  | { kind: 'unknown_field'; key: string; value: unknown }
  | { kind: 'null'; key: string }
  | { kind: 'hostile_string'; key: string; value: string }
  | { kind: 'out_of_range'; key: string; value: number }
  | { kind: 'deep'; key: string; value: unknown }
  | { kind: 'polluting'; key: string; value: Args }
  | { kind: 'drop_required'; key: string };

/** One mutation of a tool's arguments, aimed at its own properties (or none, for unknown fields). */
export function mutationFor(schema: JsonSchema, { maxDepth = 3000 }: { maxDepth?: number } = {}): fc.Arbitrary<Mutation> {
  const names = Object.keys(schema.properties ?? {});
  const required = schema.required ?? [];
  const key = names.length > 0 ? fc.constantFrom(...names) : unknownKey;
  const options: fc.Arbitrary<Mutation>[] = [
    fc.tuple(key, fc.jsonValue({ maxDepth: 1 })).chain(([k, v]) => wrongTypeFor(v).map((value) => ({ kind: 'wrong_type' as const, key: k, value }))),
    fc
      .tuple(
        unknownKey.filter((k) => !names.includes(k)),
        fc.oneof(fc.jsonValue({ maxDepth: 2 }), pollutingObject),
      )
      .map(([k, value]) => ({ kind: 'unknown_field' as const, key: k, value })),
    key.map((k) => ({ kind: 'null' as const, key: k })),
    fc.tuple(key, hostileString).map(([k, value]) => ({ kind: 'hostile_string' as const, key: k, value })),
    fc.tuple(key, outOfRangeNumber).map(([k, value]) => ({ kind: 'out_of_range' as const, key: k, value })),
    fc.tuple(key, deepNesting(maxDepth)).map(([k, value]) => ({ kind: 'deep' as const, key: k, value })),
    fc.tuple(key, pollutingObject).map(([k, value]) => ({ kind: 'polluting' as const, key: k, value })),
  ];
  if (required.length > 0) options.push(fc.constantFrom(...required).map((k) => ({ kind: 'drop_required' as const, key: k })));
  return fc.oneof(...options);
}

export function applyMutation(args: Args, mutation: Mutation): Args {
  const entries = Object.entries(args).filter(([k]) => k !== mutation.key);
  switch (mutation.kind) {
    case 'drop_required':
      return ownObject(entries);
    case 'null':
      return ownObject([...entries, [mutation.key, null]]);
    default:
      return ownObject([...entries, [mutation.key, mutation.value]]);
  }
}
