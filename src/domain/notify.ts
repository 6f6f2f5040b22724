// Notifications at a run's (or pipeline's) end: where, on which outcomes, with which headers.

/** done = completed; error = failed or timed_out; cancelled; abandoned = lost with its worker; any. */
export const NOTIFY_ON = ['done', 'error', 'cancelled', 'abandoned', 'any'] as const;
export type NotifyOn = (typeof NOTIFY_ON)[number];

export interface NotifySpec {
  /** Sealed, field notify_url (its path or query may hold a token); plain in 0.1.0's runs. */
  url: string;
  /** host[:port] of url, shown in the Web UI and the webhook's status (absent in 0.1.0's runs). */
  url_host?: string;
  on: NotifyOn[];
  /** Sealed (src/secrets/seal.ts) before they enter workflow history. */
  headers: Record<string, string>;
  /**
   * "claude-bridge": `on` names claude-bridge's job statuses and the payload is claude-bridge's
   * (src/domain/claude-bridge.ts); absent: Baton's own (every run before the claude-bridge profile).
   */
  format?: NotifyFormat;
}

export type NotifyFormat = 'claude-bridge';

/** Whether a final status (and a lost worker) is one the caller asked to hear about. */
export function wantsNotification(on: readonly NotifyOn[], status: string, workerLost: boolean): boolean {
  return on.some((o) => {
    switch (o) {
      case 'any':
        return true;
      case 'done':
        return status === 'completed';
      case 'error':
        return status === 'failed' || status === 'timed_out' || status === 'rejected';
      case 'cancelled':
        return status === 'cancelled';
      case 'abandoned':
        return status === 'failed' && workerLost;
    }
  });
}

/** A run whose output holds this marker ends the schedule that started it. */
export const STOP_SCHEDULE_MARKER = '[BATON_STOP_SCHEDULE]';
