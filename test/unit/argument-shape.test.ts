import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { argumentProblem, MAX_ARGUMENT_DEPTH } from '../../src/domain/argument-shape.js';

function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

describe('argumentProblem', () => {
  it('accepts ordinary arguments, emoji and all', () => {
    expect(argumentProblem({ prompt: 'fix it 🚀', backend_config: { command: ['npm', 'test'], env: { A: 'b' } }, output_schema: nested(MAX_ARGUMENT_DEPTH - 1) })).toBeNull();
  });

  it('names the field that holds a NUL, in a value or in a key', () => {
    expect(argumentProblem({ backend_config: { command: ['node', 'a\u0000b'] } })).toMatch(/^backend_config\.command\[1\] holds a NUL character/);
    expect(argumentProblem({ backend_config: { env: { 'X\u0000': 'y' } } })).toMatch(/^a key in backend_config\.env holds a NUL/);
  });

  it('names the field that holds a lone surrogate, high or low', () => {
    expect(argumentProblem({ run_id: 'run_\ud800' })).toMatch(/^run_id holds a lone UTF-16 surrogate \(\\ud800\) at index 4/);
    expect(argumentProblem({ run_id: '\udc00x' })).toMatch(/^run_id holds a lone UTF-16 surrogate \(\\udc00\) at index 0/);
  });

  it('names the argument nested too deep, however deep, without overflowing the stack', () => {
    expect(argumentProblem({ output_schema: nested(100_000) })).toMatch(/^output_schema is nested more than 64 levels deep/);
    expect(argumentProblem({ input_message: { parts: [{ kind: 'data', data: nested(MAX_ARGUMENT_DEPTH) }] } })).toMatch(/^input_message is nested/);
  });

  it('finds no problem in any well-formed JSON of modest depth', () => {
    // Full Unicode strings, surrogate pairs included; never a lone surrogate, and no NUL.
    const text = fc.string({ unit: 'grapheme' }).filter((s) => !s.includes('\u0000'));
    const json = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small', maxDepth: 10 }, text, fc.integer(), fc.boolean(), fc.constant(null), tie('array'), tie('object')),
      array: fc.array(tie('value'), { maxLength: 4 }),
      object: fc.dictionary(text, tie('value'), { maxKeys: 4 }),
    })).value;
    fc.assert(fc.property(json, (value) => argumentProblem({ data: value }) === null));
  });
});
