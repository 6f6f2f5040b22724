// What the bridge knows of the task it follows, and the printing of what it receives: every
// event once, in order, as the protocol object; a re-read that brings nothing new is not printed.
import { createHash } from 'node:crypto';
import { StreamResponse, taskStateToJSON, type Task, type TaskStatus } from '@a2a-js/sdk';
import type { A2aLine, A2aSource } from './lines.js';
import { INTERRUPTED_STATES, isStopState } from './states.js';

export class TaskTracker {
  taskId: string | null;
  contextId: string | null;
  /** The task's newest state, as its wire name (TASK_STATE_…). */
  state: string | null = null;
  /** The agent answered with a Message and no task: nothing more will come. */
  repliedWithMessage = false;
  /** The status message of the newest state, for the end line's error. */
  statusText: string | null = null;

  /** Answering a task (--task-id): its first status is the question being answered, not a stop. */
  private readonly answering: boolean;
  private priorStatusKey: string | null = null;
  private seenStatus = false;
  private stateIsPrior = false;

  private lastTaskKey: string | null = null;
  /** Whether the newest line printed is the task whose key is lastTaskKey. */
  private lastLineIsTask = false;
  private lastStatusKey: string | null = null;
  /** Digests of the artifact updates printed: a long stream's chunks are not kept whole. */
  private readonly printedArtifactUpdates = new Set<string>();
  private readonly printedMessages = new Set<string>();

  constructor(
    private readonly write: (line: A2aLine) => void,
    initial: { taskId: string | null; contextId: string | null; answering?: boolean },
  ) {
    this.taskId = initial.taskId;
    this.contextId = initial.contextId;
    this.answering = initial.answering ?? false;
  }

  /** True once the task reached a terminal or interrupted state, or a Message ended the exchange. */
  get stopped(): boolean {
    return this.repliedWithMessage || (isStopState(this.state) && !this.stateIsPrior);
  }

  /** Prints the event unless it repeats what was printed; returns whether it was printed. */
  take(event: StreamResponse, source: A2aSource): boolean {
    const payload = event.payload;
    if (!payload) return false;
    switch (payload.$case) {
      case 'task': {
        const task = payload.value;
        const key = taskKey(task);
        this.noteIds(task.id, task.contextId);
        const prior = this.noteStatus(task.status);
        // The final read repeats what came before on purpose (a summary for whoever reads the
        // transcript from the middle), unless the line just before says the same.
        const repeat = key === this.lastTaskKey && (source !== 'final' || this.lastLineIsTask);
        if (repeat && source !== 'cancel') return false;
        this.lastTaskKey = key;
        this.write({ a2a: StreamResponse.toJSON(event), source, ...(prior ? { prior: true as const } : {}) });
        this.lastLineIsTask = true;
        return true;
      }
      case 'statusUpdate': {
        const update = payload.value;
        const key = JSON.stringify(StreamResponse.toJSON(event));
        this.noteIds(update.taskId, update.contextId);
        this.noteStatus(update.status);
        if (key === this.lastStatusKey) return false;
        this.lastStatusKey = key;
        break;
      }
      case 'artifactUpdate': {
        const update = payload.value;
        this.noteIds(update.taskId, update.contextId);
        const key = createHash('sha256')
          .update(JSON.stringify(StreamResponse.toJSON(event)))
          .digest('base64');
        // The same chunk twice is legitimate in a live stream ("ha", "ha"); only a re-read
        // (resubscribe may replay) is checked against what was printed.
        if (source === 'resubscribe' && this.printedArtifactUpdates.has(key)) return false;
        this.printedArtifactUpdates.add(key);
        break;
      }
      case 'message': {
        const message = payload.value;
        if (message.messageId && this.printedMessages.has(message.messageId)) return false;
        if (message.messageId) this.printedMessages.add(message.messageId);
        if (message.contextId) this.contextId = message.contextId;
        if (message.taskId) this.taskId ??= message.taskId;
        else if (!this.taskId) this.repliedWithMessage = true;
        break;
      }
    }
    this.write({ a2a: StreamResponse.toJSON(event), source });
    this.lastLineIsTask = false;
    return true;
  }

  private noteIds(taskId: string, contextId: string): void {
    if (taskId) this.taskId = taskId;
    if (contextId) this.contextId = contextId;
  }

  /** Takes the task's status; returns whether it is the prior one (see `answering`). */
  private noteStatus(status: TaskStatus | undefined): boolean {
    if (!status) return false;
    const state = taskStateToJSON(status.state);
    const key = `${state}|${status.timestamp ?? ''}|${status.message?.messageId ?? ''}`;
    if (this.answering && !this.seenStatus && (INTERRUPTED_STATES as readonly string[]).includes(state)) this.priorStatusKey = key;
    this.seenStatus = true;
    this.stateIsPrior = key === this.priorStatusKey;
    this.state = state;
    const text = (status.message?.parts ?? [])
      .map((part) => (part.content?.$case === 'text' ? part.content.value : ''))
      .join('')
      .trim();
    this.statusText = text === '' ? null : text;
    return this.stateIsPrior;
  }
}

/** A task's identity for "nothing new": everything but its history, which re-reads may trim. */
function taskKey(task: Task): string {
  return JSON.stringify(StreamResponse.toJSON({ payload: { $case: 'task', value: { ...task, history: [] } } }));
}
