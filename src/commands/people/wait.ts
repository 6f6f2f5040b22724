// Waiting on a run from a terminal: a live progress line on stderr when stderr is a terminal
// (nothing at all in a pipe, so scripts read clean output), until the run has finished.
import type { RunsClient } from '../../client/runs.js';
import type { RunView } from '../../domain/run-view.js';
import { colour, elapsedOf, oneLine, printable } from './format.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
/** One wait of the client; the loop asks again, so a run may take as long as it takes. */
const SLICE_MS = 60_000;

/** Waits until the run has finished; `first` is the view the spawn returned, drawn at once. */
export async function waitToEnd(runs: RunsClient, runId: string, first: RunView): Promise<RunView> {
  const live = Boolean(process.stderr.isTTY);
  let latest: RunView | null = first;
  let frame = 0;
  const draw = () => {
    if (!latest) return;
    const last = latest.last_message ? `: ${oneLine(latest.last_message, 60)}` : '';
    process.stderr.write(`\r\x1b[2K${colour.cyan(FRAMES[frame++ % FRAMES.length])} ${runId} ${printable(latest.status)} ${elapsedOf(latest)}, ${latest.last_seq} events${last}`);
  };
  const timer = live ? setInterval(draw, 120) : null;
  try {
    for (;;) {
      // The live view (a query a slice) only for a progress line someone sees.
      const outcome = await runs.wait(runId, { maxWaitMs: SLICE_MS, ...(live ? { onProgress: (view: RunView) => (latest = view) } : {}) });
      latest = outcome.view;
      if (outcome.finished) return outcome.view;
    }
  } finally {
    if (timer) {
      clearInterval(timer);
      process.stderr.write('\r\x1b[2K');
    }
  }
}
