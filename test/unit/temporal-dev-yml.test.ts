// No Docker engine runs here, so the compose file is checked for what it must say.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BATON_SEARCH_ATTRIBUTE_NAMES } from '../../src/domain/search-attributes.js';
import { TEMPORAL_CLI_VERSION } from '../../src/temporal/ensure-cli.js';
import { devServerArgs, LOW_LATENCY_DYNAMIC_CONFIG } from '../../src/temporal/dev-server.js';
import { ROOT } from '../helpers/env.js';

interface Compose {
  services: { temporal: { image: string; command: string[]; ports: string[]; volumes: string[] } };
  volumes: Record<string, unknown>;
}

describe('temporal-dev.yml', () => {
  it('runs the pinned Temporal CLI image as a dev server on a named volume, reachable on 7233 and 8233', async () => {
    const compose = parse(await readFile(path.join(ROOT, 'temporal-dev.yml'), 'utf8')) as Compose;
    const temporal = compose.services.temporal;
    expect(temporal.image).toBe(`temporalio/temporal:${TEMPORAL_CLI_VERSION}`);
    expect(temporal.command.slice(0, 2)).toEqual(['server', 'start-dev']);
    expect(temporal.command).toEqual(expect.arrayContaining(['--ip', '0.0.0.0', '--db-filename']));
    expect(temporal.ports).toEqual(['127.0.0.1:7233:7233', '127.0.0.1:8233:8233']);
    const [volume] = temporal.volumes[0].split(':');
    expect(Object.keys(compose.volumes)).toContain(volume);
  });

  it('registers exactly the search attributes the code registers', async () => {
    const compose = parse(await readFile(path.join(ROOT, 'temporal-dev.yml'), 'utf8')) as Compose;
    const fromCompose = compose.services.temporal.command.filter((_, i, all) => all[i - 1] === '--search-attribute');
    const args = devServerArgs({ dataDir: '/d', port: 1, uiPort: 2, log: () => undefined }, '/d/db');
    const fromCode = args.filter((_, i) => args[i - 1] === '--search-attribute');
    expect(fromCompose).toEqual(fromCode);
    expect(fromCode).toEqual(BATON_SEARCH_ATTRIBUTE_NAMES.map((n) => `${n}=Keyword`));
  });

  it('sets the same latency settings as the server `npm start` runs', async () => {
    const compose = parse(await readFile(path.join(ROOT, 'temporal-dev.yml'), 'utf8')) as Compose;
    const fromCompose = compose.services.temporal.command.filter((_, i, all) => all[i - 1] === '--dynamic-config-value');
    const fromCode = Object.entries(LOW_LATENCY_DYNAMIC_CONFIG).map(([key, value]) => `${key}=${JSON.stringify(value)}`);
    expect(fromCompose).toEqual(fromCode);
    const args = devServerArgs({ dataDir: '/d', port: 1, uiPort: 2, log: () => undefined }, '/d/db');
    expect(args.filter((_, i) => args[i - 1] === '--dynamic-config-value')).toEqual(expect.arrayContaining(fromCode));
  });
});
