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
