// Strict zod objects whose errors tell the caller what to change.
import { z } from 'zod';

/** Refuses unknown fields by name, and lists the fields that are accepted. */
export function strictObject<T extends z.ZodRawShape>(shape: T, what: string) {
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `${what} has no field ${issue.keys.map((k) => `"${k}"`).join(', ')}: remove it. Accepted fields: ${Object.keys(shape).join(', ')}`
        : undefined,
  });
}

/** An enum whose error names the field and the choices. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T, field: string) {
  return z.enum(values, {
    error: (issue) =>
      issue.input === undefined ? `${field} is required: one of ${values.join(', ')}` : `${field} must be one of ${values.join(', ')} (got ${JSON.stringify(issue.input)})`,
  });
}

export const envSchema = z
  .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'environment variable names are letters, digits and _'), z.string())
  .describe('Extra environment variables for the agent process.');

/**
 * An HTTP header value: no control characters but tab (RFC 9110 field-value). A newline could never
 * be sent, and the error a sender raises would carry the (secret) value verbatim.
 */
export function headerValue() {
  return z.string().regex(/^[^\x00-\x08\x0a-\x1f\x7f]*$/, 'header values may not contain control characters (a newline, carriage return, NUL, ...): remove them');
}
