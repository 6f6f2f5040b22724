// A workflow's history after a moment, as a short timeline: what Temporal did and when (the
// evidence for where a recovery's time went).
const SKIP = new Set(['workflowExecutionSignaled']);

export async function timelineAfter(client, workflowId, sinceMs) {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const out = [];
  let signals = 0;
  for (const event of history.events ?? []) {
    const at = Number(event.eventTime.seconds) * 1000 + Math.round(event.eventTime.nanos / 1e6);
    if (at < sinceMs) continue;
    const kind =
      Object.keys(event)
        .find((k) => k.endsWith('EventAttributes'))
        ?.replace('EventAttributes', '') ?? 'unknown';
    if (SKIP.has(kind) && signals++ > 0) continue;
    const attrs = event[`${kind}EventAttributes`] ?? {};
    const detail = attrs.taskQueue?.name ?? (attrs.timeoutType !== undefined ? `timeout type ${attrs.timeoutType}` : (attrs.failure?.message ?? attrs.signalName ?? ''));
    out.push({ after_ms: at - sinceMs, event: kind, detail: String(detail).slice(0, 120) });
    if (out.length >= 25) break;
  }
  return out;
}
