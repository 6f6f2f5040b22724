// JSON Schema validation with ajv: draft 2020-12 when the schema says so, draft-07 otherwise.
import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv';
import Ajv2020Module from 'ajv/dist/2020.js';

// ajv is CommonJS: under NodeNext its class is the default export's default.
const Ajv = AjvModule.default;
const Ajv2020 = Ajv2020Module.default;

export function compileSchema(schema: Record<string, unknown>): ValidateFunction {
  const draft2020 = typeof schema.$schema === 'string' && schema.$schema.includes('2020-12');
  const ajv = draft2020 ? new Ajv2020({ allErrors: true, strict: false }) : new Ajv({ allErrors: true, strict: false });
  return ajv.compile(schema);
}

export function describeErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}`).join('; ');
}
