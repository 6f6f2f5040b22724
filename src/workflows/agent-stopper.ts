// Stops a run's agent promptly on its host with the short stopAgent activity, in parallel with
// the cancellation of runAgent (which only learns of it at its next heartbeat).
import { CancellationScope, log } from '@temporalio/workflow';
import type { RunLedger } from '../domain/run-ledger.js';
import type { RunTimings } from '../domain/run-spec.js';
import { controlOn } from './activity-stubs.js';

export class AgentStopper {
  private reason: string | null = null;
  private stopping: Promise<void> | null = null;

  constructor(
    private readonly runId: string,
    private readonly ledger: RunLedger,
    private readonly timings: RunTimings,
  ) {}

  stop(reason: string): void {
    this.reason ??= reason;
    this.startIfPossible();
  }

  /** The activity announced its agent: a stop asked for before that can go out now. */
  agentKnown(): void {
    if (this.reason !== null) this.startIfPossible();
  }

  async done(): Promise<void> {
    await this.stopping;
  }

  private startIfPossible(): void {
    const agent = this.ledger.agent;
    if (this.stopping || !agent || this.reason === null) return;
    const request = { run_id: this.runId, agent, reason: this.reason, kill_grace_ms: this.timings.kill_grace_ms };
    this.stopping = CancellationScope.nonCancellable(() => controlOn(agent.host, this.timings).stopAgent(request)).then(
      () => undefined,
      (err: unknown) => log.warn('stopAgent did not finish; the host sweeps leftover agents when its worker starts', { err }),
    );
  }
}
