// Every patch id of Baton's workflow code, declared once (docs/ARCHITECTURE.md, "Changing workflow
// code"). A workflow that began before a patch replays its old path; one that reaches the patched
// point live takes the new path and records the marker. Named `<issue>-<what>`, each with the
// release that introduced it.

/**
 * Release after 0.2.0 (issue 9): a pipeline step's prompt is fitted to the byte budget of its
 * child run's input (the goal and a worker's own step whole; findings, reports and plan titles cut
 * with markers), so no step's start is refused as too large. Before it, the prompt was built whole.
 */
export const PIPELINE_PROMPT_BUDGET = '9-pipeline-prompt-budget';

/**
 * Release after 0.2.0 (issue 9): a pipeline's history is bounded. It continues as new once its
 * history passes PIPELINE_HISTORY_BYTES, at a point where none of its steps runs, carrying its
 * bounded state (pipeline-carry.ts); a plan has at most MAX_PLAN_STEPS steps; and its memo keeps
 * small facts while it runs (no plan, no verdict). Before it, a pipeline never continued as new,
 * and many rounds of many steps passed Temporal's 50 MB history limit, which terminates it.
 */
export const PIPELINE_HISTORY_BOUND = '9-pipeline-history-bound';

/**
 * Release after 0.2.0 (issue 11): a pipeline step's child run is started with a label, `plan:
 * <goal>`, `r1 work-2: <title>`, `r1 review: <goal>`, as its Web UI summary and prompt_preview.
 * Before it, every step showed the first line of the generated prompt, the same for all.
 */
export const STEP_LABELS = '11-step-labels';

/**
 * Release after 0.2.0 (issue 11): a run's memo is written again once its agent is known (and on
 * each re-attach or relaunch), so list_runs and the Web UI show its attempt and host. Before it,
 * a running run's memo said `attempt 0, host null` until its next status change.
 */
export const RUN_MEMO_AGENT = '11-run-memo-agent';

/**
 * Release after 0.3.0 (issue 11): a channel turn enqueued through a stdio MCP session carries
 * that session (`origin`), and the channel starts the turn's run with it in the memo
 * (ORIGIN_MEMO_KEY), as the client does for every other run, so that session is pushed the
 * turn's end. Before it, the turn's run had no origin and its end was pushed to no one.
 */
export const CHANNEL_TURN_ORIGIN = '11-channel-turn-origin';

/**
 * Release after 0.3.0 (issue 12): a scheduled run whose output holds claude-bridge's stop marker,
 * [BRIDGE_STOP_SCHEDULE], ends its schedule as Baton's own marker does (docs/claude-bridge.md).
 * Before it, only [BATON_STOP_SCHEDULE] did.
 */
export const BRIDGE_STOP_MARKER_PATCH = '12-bridge-stop-marker';

/**
 * Release after 0.6.0 (issue 14): a turn enqueued while its channel is idle (nothing running,
 * queued or being started) is started already granted: it holds the channel's lane from that
 * moment, and its run starts its agent in its first workflow task, with no grant signal and one
 * workflow task less on each side. Before it, every turn was started queued and then signalled.
 */
export const CHANNEL_IDLE_GRANT = '14-channel-idle-grant';
