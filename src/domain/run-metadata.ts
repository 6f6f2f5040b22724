// What a run's workflow is started with besides its input: search attributes, memo and the Web
// UI's summary and details. Shared by the client (plain runs) and the channel workflow (turns).
import type { SearchAttributePair } from '@temporalio/common';
import { messageHeadline } from './input-message.js';
import { ARGS_HASH_MEMO_KEY, VIEW_MEMO_KEY } from './memo.js';
import { RunLedger } from './run-ledger.js';
import type { RunWorkflowInput } from './run-spec.js';
import { searchAttributeKeys } from './search-attributes.js';
import { firstLine } from './text.js';

export interface RunStartMetadata {
  typedSearchAttributes: SearchAttributePair[];
  memo: Record<string, unknown>;
  staticSummary: string;
  staticDetails: string;
}

export function runStartMetadata(input: RunWorkflowInput, now: Date): RunStartMetadata {
  const spec = input.spec;
  const attributes: SearchAttributePair[] = [
    { key: searchAttributeKeys.kind, value: 'run' },
    { key: searchAttributeKeys.role, value: spec.role },
    { key: searchAttributeKeys.backend, value: spec.backend },
    { key: searchAttributeKeys.status, value: 'queued' },
  ];
  if (spec.channel) attributes.push({ key: searchAttributeKeys.channel, value: spec.channel });
  if (spec.parent) attributes.push({ key: searchAttributeKeys.parent, value: spec.parent });
  return {
    typedSearchAttributes: attributes,
    memo: { [ARGS_HASH_MEMO_KEY]: input.args_hash, [VIEW_MEMO_KEY]: new RunLedger(input).view(now) },
    staticSummary: runSummary(input),
    staticDetails: describeSpec(input),
  };
}

/**
 * The Web UI's one line for a run (its list, the top of its page, `temporal workflow describe`):
 * who does what, `worker · claude_code · Refactor the parser...`; a pipeline step's label.
 */
export function runSummary(input: RunWorkflowInput): string {
  if (input.label) return input.label;
  const text = firstLine(messageHeadline(input.spec.input), 100) || '(no text)';
  return `${input.spec.role} · ${input.spec.backend} · ${text}`;
}

/** Markdown for the Web UI's details panel: what was asked, where, how. */
function describeSpec(input: RunWorkflowInput): string {
  const s = input.spec;
  const rows = [
    `**${s.backend}** ${s.role} in \`${s.cwd}\``,
    s.channel ? `channel: ${s.channel}` : null,
    s.parent ? `follows: ${s.parent}` : null,
    s.model ? `model: ${s.model}` : null,
    s.permission_mode ? `permission mode: ${s.permission_mode}` : null,
    s.timeout_seconds ? `timeout: ${s.timeout_seconds} s` : null,
    s.session_id ? `session: ${s.session_mode} ${s.session_id}` : null,
    s.output_schema ? 'output: must match output_schema' : null,
    '',
    input.label ? `${input.label}\n` : null,
    firstLine(messageHeadline(s.input), 2000),
  ];
  return rows.filter((r) => r !== null).join('\n');
}
