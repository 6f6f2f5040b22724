// Baton's configuration: environment variables -> one typed object, validated once at the edge.
// Every variable is documented here and in README.md ("Configuration").
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { ORIGIN_PATTERN } from './domain/memo.js';
import type { RunTimings } from './domain/run-spec.js';
import { TOOL_PROFILES, type ToolProfile } from './mcp/profiles/names.js';

const seconds = (fallback: number, min = 1) => z.coerce.number().int().min(min).default(fallback);

const envSchema = z.object({
  /** Where runs keep their files (prompt, transcript, exit status) and the dev server its SQLite file. Default ~/.baton. */
  BATON_DATA_DIR: z.string().optional(),
  /** Directories a run's cwd must lie under, separated by ':' (';' on Windows). Default: the directory Baton started in. */
  BATON_ALLOWED_ROOTS: z.string().optional(),
  /** The shared task queue every worker polls. Change it to run two independent Baton setups on one server. */
  BATON_TASK_QUEUE: z.string().min(1).default('baton'),
  /** This worker's host id: runs are pinned to the host whose disk has their files. Default: the machine id. */
  BATON_HOST_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]+$/, 'BATON_HOST_ID may hold letters, digits, ".", "_" and "-"')
    .optional(),
  /** A Temporal server to use instead of the embedded dev server (then Baton starts none). */
  TEMPORAL_ADDRESS: z.string().optional(),
  /**
   * With TEMPORAL_ADDRESS: "1" lets Baton register its search attributes and set the retention on
   * that namespace (e.g. the temporal-dev.yml container); otherwise it only checks them.
   */
  BATON_MANAGE_NAMESPACE: z.enum(['0', '1']).optional(),
  /** Namespace (also read by the Temporal envconfig profile). Default "default". */
  TEMPORAL_NAMESPACE: z.string().optional(),
  /** Ports of the embedded dev server: gRPC, and the Web UI. */
  BATON_TEMPORAL_PORT: z.coerce.number().int().min(1).max(65535).default(7233),
  BATON_TEMPORAL_UI_PORT: z.coerce.number().int().min(1).max(65535).default(8233),
  /** Retention of closed runs in the namespace Baton sets up (the dev server's own default is one day). */
  BATON_RETENTION_DAYS: seconds(30),
  /** Streamable HTTP MCP endpoint: address and port. A non-loopback address requires BATON_HTTP_TOKEN. */
  BATON_HTTP_HOST: z.string().default('127.0.0.1'),
  BATON_HTTP_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** Bearer token the HTTP endpoint requires (always when bound beyond loopback). */
  BATON_HTTP_TOKEN: z.string().min(16, 'BATON_HTTP_TOKEN must be at least 16 characters').optional(),
  /** Extra Origins allowed to call the HTTP endpoint from a browser, comma-separated. */
  BATON_HTTP_ALLOWED_ORIGINS: z.string().optional(),
  /**
   * Key that seals secrets (A2A headers, webhook headers) before they enter workflow history:
   * 32 bytes, base64. Generated into the data dir on one machine; required with TEMPORAL_ADDRESS.
   */
  BATON_SECRET_KEY: z.string().optional(),
  /** Signs notifications per Standard Webhooks: whsec_ followed by base64. Unset: unsigned JSON. Every worker needs it. */
  BATON_WEBHOOK_SECRET: z.string().startsWith('whsec_', 'BATON_WEBHOOK_SECRET must look like whsec_<base64>').optional(),
  /**
   * More environment variables agents never inherit from the worker, comma-separated; a trailing
   * "*" makes a prefix (e.g. "AWS_*,GH_TOKEN"). BATON_* and TEMPORAL_* are always withheld.
   */
  BATON_AGENT_ENV_DENY: z
    .string()
    .regex(/^[A-Za-z0-9_*,\s]*$/, 'BATON_AGENT_ENV_DENY is a comma-separated list of variable names, each optionally ending in "*"')
    .optional(),
  /**
   * How a run's processes are tracked: "auto" (default) gives each run a cgroup v2 under
   * <cgroup2 mount>/baton when the worker may create one there, else falls back to the /proc
   * sweep; "off" always uses the sweep; an absolute path names the cgroup2 directory to use (an
   * error at start when it does not work).
   */
  BATON_CGROUPS: z
    .string()
    .refine((v) => v === 'auto' || v === 'off' || v.startsWith('/'), 'BATON_CGROUPS must be "auto", "off" or the absolute path of a cgroup2 directory')
    .default('auto'),
  /** "1": notifications may go to loopback and private addresses (tests, a receiver on your LAN). */
  BATON_ALLOW_PRIVATE_WEBHOOKS: z.enum(['0', '1']).optional(),
  /**
   * "1" when Claude Code's and Codex's session stores (~/.claude, ~/.codex) are shared by every
   * worker host: a run whose host is lost then resumes its session on another host.
   */
  BATON_SHARED_SESSIONS: z.enum(['0', '1']).default('0'),
  /** "0": `baton mcp` sends no channel notifications (README, "Results pushed to you"). */
  BATON_PUSH: z.enum(['0', '1']).default('1'),
  /** Who a stdio `baton mcp` is across restarts; default: one per working directory (src/mcp/push-session.ts). */
  BATON_SESSION: z.string().regex(ORIGIN_PATTERN, 'BATON_SESSION must be 1-64 letters, digits, ".", "_" or "-"').optional(),
  /** Least time between two event signals of a run (the first after a quiet spell goes at once). */
  BATON_EVENT_FLUSH_MS: z.coerce.number().int().min(10).max(60_000).default(1000),
  /** How soon a lost worker is noticed: the agent activity's heartbeat timeout. */
  BATON_HEARTBEAT_TIMEOUT_SECONDS: seconds(20, 2),
  /** Grace period between SIGTERM and SIGKILL when an agent is stopped. */
  BATON_KILL_GRACE_SECONDS: seconds(5, 0),
  /** How long a run waits for its host's worker to come back before it ends with worker_lost. */
  BATON_HOST_WAIT_SECONDS: seconds(7 * 24 * 3600),
  /** Agents one worker watches at once; more runs wait in the queue. */
  BATON_MAX_CONCURRENT_AGENTS: z.coerce.number().int().min(1).default(100),
  /** Which MCP tools the servers offer: Baton's own ("baton"), claude-bridge's (docs/claude-bridge.md) or orchestration-mcp's (docs/orchestration-mcp.md). */
  BATON_TOOL_PROFILE: z.enum(TOOL_PROFILES, { error: `BATON_TOOL_PROFILE must be one of ${TOOL_PROFILES.join(', ')}` }).default('baton'),
  /** The claude-bridge profile's default cwd and permission mode, under claude-bridge's own names. */
  CLAUDE_BRIDGE_CWD: z.string().optional(),
  CLAUDE_BRIDGE_DEFAULT_PERMISSION_MODE: z.string().optional(),
  /** Log level of Baton and the Temporal worker: ERROR, WARN, INFO, DEBUG. */
  BATON_LOG_LEVEL: z.enum(['ERROR', 'WARN', 'INFO', 'DEBUG', 'TRACE']).default('INFO'),
});

export interface BatonConfig {
  dataDir: string;
  allowedRoots: string[];
  taskQueue: string;
  hostId: string;
  /** True when TEMPORAL_ADDRESS points at a server Baton must not start or reconfigure. */
  externalTemporal: boolean;
  /** Whether Baton may register search attributes and set retention (always on its own dev server). */
  manageNamespace: boolean;
  namespace: string;
  devServer: { port: number; uiPort: number; retentionDays: number };
  http: { host: string; port: number; portExplicit: boolean; token: string | null; allowedOrigins: string[] };
  timings: RunTimings;
  maxConcurrentAgents: number;
  eventFlushMs: number;
  sessionsShared: boolean;
  /** BATON_PUSH: whether a stdio `baton mcp` pushes run ends to its client. */
  push: boolean;
  /** BATON_SESSION as given, else null (a stdio server then derives one from its directory). */
  session: string | null;
  /** Variables (names, or prefixes ending in "*") agents never inherit, besides BATON_* and TEMPORAL_*. */
  agentEnvDeny: string[];
  /** BATON_CGROUPS: "auto", "off" or a cgroup2 directory. */
  cgroups: string;
  /** BATON_SECRET_KEY as given (loaded and checked by loadSecretKey). */
  secretKeyText: string | undefined;
  logLevel: 'ERROR' | 'WARN' | 'INFO' | 'DEBUG' | 'TRACE';
  /** BATON_TOOL_PROFILE (or --profile): the MCP tool surface. */
  toolProfile: ToolProfile;
  /** The claude-bridge profile's defaults: CLAUDE_BRIDGE_CWD (else the working directory) and CLAUDE_BRIDGE_DEFAULT_PERMISSION_MODE. */
  claudeBridge: { cwd: string; permissionMode: string };
}

export const DEFAULT_HTTP_PORT = 8787;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): BatonConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`Baton's environment is not valid: ${problems}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.BATON_DATA_DIR ?? path.join(os.homedir(), '.baton'));
  return {
    dataDir,
    allowedRoots: parseRoots(e.BATON_ALLOWED_ROOTS, cwd),
    taskQueue: e.BATON_TASK_QUEUE,
    hostId: e.BATON_HOST_ID ?? defaultHostId(),
    externalTemporal: Boolean(e.TEMPORAL_ADDRESS),
    manageNamespace: !e.TEMPORAL_ADDRESS || e.BATON_MANAGE_NAMESPACE === '1',
    namespace: e.TEMPORAL_NAMESPACE ?? 'default',
    devServer: { port: e.BATON_TEMPORAL_PORT, uiPort: e.BATON_TEMPORAL_UI_PORT, retentionDays: e.BATON_RETENTION_DAYS },
    http: {
      host: e.BATON_HTTP_HOST,
      port: e.BATON_HTTP_PORT ?? DEFAULT_HTTP_PORT,
      portExplicit: e.BATON_HTTP_PORT !== undefined,
      token: e.BATON_HTTP_TOKEN ?? null,
      allowedOrigins: (e.BATON_HTTP_ALLOWED_ORIGINS ?? '')
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    },
    timings: {
      heartbeat_timeout_ms: e.BATON_HEARTBEAT_TIMEOUT_SECONDS * 1000,
      kill_grace_ms: e.BATON_KILL_GRACE_SECONDS * 1000,
      host_wait_ms: e.BATON_HOST_WAIT_SECONDS * 1000,
    },
    maxConcurrentAgents: e.BATON_MAX_CONCURRENT_AGENTS,
    eventFlushMs: e.BATON_EVENT_FLUSH_MS,
    sessionsShared: e.BATON_SHARED_SESSIONS === '1',
    push: e.BATON_PUSH === '1',
    session: e.BATON_SESSION ?? null,
    agentEnvDeny: parseEnvDeny(e.BATON_AGENT_ENV_DENY),
    cgroups: e.BATON_CGROUPS,
    secretKeyText: e.BATON_SECRET_KEY,
    logLevel: e.BATON_LOG_LEVEL,
    toolProfile: e.BATON_TOOL_PROFILE,
    claudeBridge: { cwd: path.resolve(cwd, e.CLAUDE_BRIDGE_CWD || cwd), permissionMode: e.CLAUDE_BRIDGE_DEFAULT_PERMISSION_MODE || 'acceptEdits' },
  };
}

/** BATON_AGENT_ENV_DENY: comma-separated variable names; a trailing "*" makes a prefix. */
function parseEnvDeny(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
}

function parseRoots(value: string | undefined, cwd: string): string[] {
  const roots = (value ?? cwd)
    .split(path.delimiter)
    .map((r) => r.trim())
    .filter(Boolean);
  for (const root of roots) {
    if (!path.isAbsolute(root)) throw new ConfigError(`BATON_ALLOWED_ROOTS entries must be absolute paths; "${root}" is not`);
  }
  return roots.map((r) => path.resolve(r));
}

/** The machine id (stable across reboots and renames), else the host name. */
function defaultHostId(): string {
  for (const file of ['/etc/machine-id', '/var/lib/dbus/machine-id']) {
    try {
      const id = readFileSync(file, 'utf8').trim();
      if (/^[0-9a-f]{16,}$/i.test(id)) return id.slice(0, 16);
    } catch {
      // not on this system; try the next
    }
  }
  return os.hostname().replace(/[^A-Za-z0-9._-]/g, '-');
}

/** Paths under the data dir, in one place. */
export function runDirOf(config: Pick<BatonConfig, 'dataDir'>, runId: string): string {
  return path.join(config.dataDir, 'runs', runId);
}
