// The backend table (src/domain/backends.ts) agrees with the rest of a backend's definition: every
// option field it names is a field of that backend's backend_config, and spawn_run's checks follow it.
import { describe, expect, it } from 'vitest';
import { BACKEND_CAPABILITIES, BACKEND_OPTIONS, backendsTaking } from '../../src/domain/backends.js';
import { backendConfigSchemas } from '../../src/domain/backend-configs/index.js';
import { spawnRunInputSchema } from '../../src/domain/spawn-input.js';
import { BACKENDS } from '../../src/domain/vocabulary.js';

const shapeOf = (schema: unknown) => (schema as { shape?: Record<string, unknown>; _def?: { schema?: { shape?: Record<string, unknown> } } }).shape ?? {};

describe('the backend table', () => {
  it.each(BACKENDS)("names only fields %s's backend_config has", (backend) => {
    const caps = BACKEND_CAPABILITIES[backend];
    const fields = Object.keys(shapeOf(backendConfigSchemas[backend]));
    for (const field of [...caps.secret_records, ...caps.secret_values, ...caps.path_lists]) expect(fields, `${backend}: ${field}`).toContain(field);
  });

  it('decides which backends spawn_run lets take each backend-only option', () => {
    for (const option of BACKEND_OPTIONS) {
      const value = option === 'permission_mode' ? 'plan' : option === 'profile' ? 'Be brief.' : option === 'model' ? 'some-model' : 3;
      for (const backend of BACKENDS) {
        const args = {
          prompt: 'p',
          cwd: '/tmp',
          backend,
          [option]: value,
          ...(backend === 'remote_a2a' ? { backend_config: { agent_url: 'http://127.0.0.1:9/' } } : {}),
          ...(backend === 'command' ? { backend_config: { command: ['true'] } } : {}),
        };
        const refused = spawnRunInputSchema.safeParse(args).error?.issues.some((i) => i.path[0] === option) ?? false;
        expect(refused, `${option} on ${backend}`).toBe(!backendsTaking(option).includes(backend));
      }
    }
  });

  it('lets only resumable backends resume', () => {
    for (const backend of BACKENDS) {
      const args = {
        prompt: 'p',
        cwd: '/tmp',
        backend,
        session_mode: 'resume',
        session_id: '0b5d3e8e-6c2a-4a55-9a9c-6e0f0f2f2a10',
        ...(backend === 'remote_a2a' ? { backend_config: { agent_url: 'http://127.0.0.1:9/' } } : {}),
        ...(backend === 'command' ? { backend_config: { command: ['true'] } } : {}),
      };
      const refused = spawnRunInputSchema.safeParse(args).error?.issues.some((i) => i.path[0] === 'session_mode') ?? false;
      expect(refused, backend).toBe(!BACKEND_CAPABILITIES[backend].resumable);
    }
  });
});
