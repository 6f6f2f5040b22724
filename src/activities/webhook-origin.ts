// Before a worker sends (and signs) a notification it checks who made it. Receivers trust a
// notification because BATON_WEBHOOK_SECRET signs it, and a webhook workflow's input (payload and
// notify_url) is whatever its starter put there: anyone who reaches Temporal's gRPC port can start
// one. So a notification goes out only when Baton's own workflow code made it, for work that a
// holder of Baton's key created. Each check below is needed for that, and together they suffice:
// - The webhook is a child of the workflow it is about (`<id>.webhook`, payload naming <id>). Only
//   a workflow can start a child, and Baton's workflow code starts a webhook child only in
//   startNotification, with the payload built from its own state: a raw client cannot.
// - That parent is Baton's: its spec (a run's) or its roles' specs (a pipeline's) carry a launch
//   MAC that holds for it, by the launch guard's rules (src/activities/launch-guard.ts). Without
//   this, a forged agentRun whose launch is refused would still notify on its way to failing.
// - The payload's status is the one the parent published at its end (BatonStatus), a cheap check
//   that the payload is the parent's.
// - notify_url and notify_headers are sealed (v2) for the parent's scope: notify is outside the
//   spec's MAC, and a schedule's action can be changed through Temporal; a plain URL or one sealed
//   for another run or field never opens, so the notification cannot be aimed elsewhere.
// Work that began before the first worker of this release ran on this data dir
// (`launch-binding-since`) passes as the release that made it would have: 0.1.0 sealed no URL,
// 0.2.0 signed no run id.
import type { Client } from '@temporalio/client';
import {
  isBridgeScheduleEvent,
  isBridgeSchedulePayload,
  scheduleNotifierId,
  scheduleWebhookId,
  type BridgeScheduleNotifierInput,
  type BridgeSchedulePayload,
} from '../domain/bridge-schedule-notify.js';
import { bridgeStatusOf } from '../domain/claude-bridge.js';
import type { DeliverWebhookRequest } from '../domain/webhook-delivery.js';
import type { RunStatus } from '../domain/vocabulary.js';
import type { PipelineInput } from '../domain/pipeline.js';
import type { RunWorkflowInput } from '../domain/run-spec.js';
import { readWorkflowInput } from '../client/run-input.js';
import { launchAuthority } from '../secrets/launch-mac.js';
import { isBoundSeal } from '../secrets/seal.js';
import { beganBefore, describeChain, firedBy, reusesId, type Described } from './launch-guard.js';

export interface WebhookOriginDeps {
  client: Client;
  secretKey: Buffer;
  /** Work begun before this time may notify with unsigned specs (0.1.0). */
  signingSince: Date;
  /** Work begun before this time may notify unchecked by this release's rules (0.1.0, 0.2.0). */
  bindingSince: Date;
}

export class WebhookRefusedError extends Error {
  override name = 'WebhookRefusedError';
}

const WEBHOOK_SUFFIX = '.webhook';

/** Throws WebhookRefusedError, saying why, unless Baton's own workflow code made this notification. */
export async function checkWebhookOrigin(deps: WebhookOriginDeps, webhook: { workflowId: string; runId: string | undefined }, request: DeliverWebhookRequest): Promise<void> {
  const refuse = (why: string) => new WebhookRefusedError(`notification ${webhook.workflowId} was not made by Baton, so nothing is sent or signed: ${why}`);
  const self = await deps.client.workflow.getHandle(webhook.workflowId, webhook.runId).describe();
  // Started before this release's first worker ran: its release's workers sent it unchecked already.
  if (self.startTime < deps.bindingSince) return;
  const parent = self.parentExecution;
  if (!parent?.workflowId) throw refuse('it was started on its own, not by the run or pipeline it is about');
  const id = parent.workflowId;
  const payload = request.payload;
  if (isBridgeSchedulePayload(payload))
    return checkScheduleNotifierParent(deps, webhook.workflowId, payload, request, refuse, await describeChain(deps.client, id, parent.runId ?? undefined));
  if (webhook.workflowId !== `${id}${WEBHOOK_SUFFIX}` || payload?.run_id !== id || payload.job_id !== id) {
    throw refuse(`its id and payload name another run than its parent ${id}`);
  }
  const described = await describeChain(deps.client, id, parent.runId ?? undefined);
  const old = (since: Date) => beganBefore(deps, described, since);
  const type = described.current.type;
  if (type === 'agentRun') await checkRunParent(deps, described, refuse, old);
  else if (type === 'pipeline') await checkPipelineParent(deps, described, refuse, old);
  else throw refuse(`its parent ${id} is a ${type} workflow, which sends no notifications`);
  if (await old(deps.bindingSince)) return;

  const kind = type === 'agentRun' ? 'run' : 'pipeline';
  const status = described.current.searchAttributes?.BatonStatus?.[0];
  if ('baton_status' in payload) {
    // claude-bridge's payload (its profile's dispatch_async): its status is claude-bridge's word
    // for the run's, which it carries as baton_status.
    const expected = kind === 'run' && typeof status === 'string' ? bridgeStatusOf(status as RunStatus, payload.error) : null;
    if (payload.baton_status !== status || payload.status !== expected || payload.event !== expected) {
      throw refuse(`its payload says ${payload.event} (${payload.status}, ${payload.baton_status}), but ${kind} ${id} ended ${String(status)}`);
    }
  } else if (payload.event !== `${kind}.${payload.status}` || payload.status !== status) {
    throw refuse(`its payload says ${payload.event} (${payload.status}), but ${kind} ${id} ended ${String(status)}`);
  }
  refuseUnsealed(request, id, refuse);
}

/** notify_url and notify_headers must be sealed (v2, bound to a scope): the delivery opens them only for the webhook's parent. */
function refuseUnsealed(request: DeliverWebhookRequest, id: string, refuse: Refuse): void {
  const unbound = [request.url, ...Object.values(request.headers ?? {})].some((v) => typeof v !== 'string' || !isBoundSeal(v));
  if (unbound) throw refuse(`its notify_url or notify_headers are not sealed by Baton for ${id}`);
}

/**
 * A claude-bridge schedule notification (src/workflows/bridge-schedule-notifier.ts): its parent is
 * the notifier of the schedule its payload names, whose input the profile wrote with the URL and
 * headers sealed for that notifier's id, and whose id was not reused. The payload is the notifier's
 * own work (only a workflow starts a child), so its facts need no second reading here.
 */
async function checkScheduleNotifierParent(
  deps: WebhookOriginDeps,
  webhookId: string,
  payload: BridgeSchedulePayload,
  request: DeliverWebhookRequest,
  refuse: Refuse,
  described: Described,
): Promise<void> {
  const { workflowId: id, runId, type } = described.current;
  if (type !== 'bridgeScheduleNotifier') throw refuse(`its payload is a schedule's, but its parent ${id} is a ${type} workflow`);
  const input = await readWorkflowInput<BridgeScheduleNotifierInput>(deps.client, id, runId);
  if (!input || typeof input.schedule_id !== 'string' || id !== scheduleNotifierId(input.schedule_id) || payload.schedule_id !== input.schedule_id) {
    throw refuse(`its parent ${id} is not the notifier of schedule ${String(payload.schedule_id)}`);
  }
  const event = payload.event;
  if (!isBridgeScheduleEvent(event) || !Array.isArray(input.notify_on) || !input.notify_on.includes(event)) {
    throw refuse(`its event (${String(event)}) is not one its parent ${id} sends`);
  }
  // Exactly the id the notifier gives this notification: a tick's carries its number.
  const tick = event === 'tick' || event === 'tick_error' ? payload.tick_count : null;
  if ((tick !== null && !Number.isSafeInteger(tick)) || webhookId !== scheduleWebhookId(id, event, tick)) {
    throw refuse(`its id ${webhookId} is not the one its parent ${id} gives a ${event} notification`);
  }
  if (await reusesId(deps.client, described)) throw refuse(`its parent ${id} reuses the id of a notifier that had closed, which Baton never does`);
  refuseUnsealed(request, id, refuse);
}

type Refuse = (why: string) => WebhookRefusedError;
type Old = (since: Date) => Promise<boolean>;

async function checkRunParent(deps: WebhookOriginDeps, described: Described, refuse: Refuse, old: Old): Promise<void> {
  const { workflowId: id, runId } = described.current;
  const input = await readWorkflowInput<RunWorkflowInput>(deps.client, id, runId);
  if (!input?.spec) throw refuse(`its parent ${id} has no run spec`);
  const authority = launchAuthority(input.spec, deps.secretKey);
  const notBatons = `its parent ${id} was not started by Baton`;
  switch (authority.scope) {
    case 'run':
      if (!authority.madeFor(id)) throw refuse(`${notBatons} (its spec carries no valid MAC for this run id)`);
      if (await reusesId(deps.client, described)) throw refuse(`${notBatons} (it reuses the id of a run that had closed)`);
      return;
    case 'schedule': {
      if ((await firedBy(deps.client, described)) === authority.schedule_id) return;
      // A run's stop marker deletes its schedule right after the run starts this notification,
      // and cancel_schedule lets running runs go on: the schedule may be gone before this check.
      // Then an agent launched in the chain's first segment proves it: the launch guard let it launch
      // only while the schedule vouched for the run (a refused launch fails; it does not complete).
      const gone = !(await deps.client.schedule
        .getHandle(authority.schedule_id)
        .describe()
        .then(
          () => true,
          () => false,
        ));
      if (gone && (await launchedFromStart(deps.client, described))) return;
      throw refuse(`${notBatons} (its spec was made for the runs of schedule ${authority.schedule_id}, which did not fire it)`);
    }
    case 'unbound':
      if (await old(deps.bindingSince)) return;
      throw refuse(`${notBatons} (its spec carries a MAC of release 0.2.0, which names no run, and it began after ${deps.bindingSince.toISOString()})`);
    case 'unsigned':
      if (await old(deps.signingSince)) return;
      throw refuse(`${notBatons} (its spec carries no MAC)`);
    case 'pipeline':
      throw refuse(`its parent ${id} is a pipeline's step, and steps send no notifications`);
    case 'forged':
      throw refuse(`${notBatons} (its spec's MAC does not hold: forged, changed, or made with another key)`);
  }
}

async function checkPipelineParent(deps: WebhookOriginDeps, described: Described, refuse: Refuse, old: Old): Promise<void> {
  const { workflowId: id, runId } = described.current;
  const input = await readWorkflowInput<PipelineInput>(deps.client, id, runId);
  const roles = Object.values(input?.roles ?? {});
  if (!input || input.pipeline_id !== id || roles.length === 0) throw refuse(`its parent ${id} has no pipeline input for that id`);
  for (const role of roles) {
    const authority = launchAuthority(role as unknown as RunWorkflowInput['spec'], deps.secretKey);
    if (authority.scope === 'unsigned' && (await old(deps.signingSince))) continue;
    if (authority.scope !== 'pipeline' || authority.pipeline_id !== id || !authority.holdsForGoal(input.goal)) {
      throw refuse(`its parent ${id} was not started by Baton (a role's MAC does not hold for this pipeline and goal)`);
    }
    if (authority.version === 'v1' && !(await old(deps.bindingSince)))
      throw refuse(`its parent ${id} carries MACs of release 0.2.0 and began after ${deps.bindingSince.toISOString()}`);
  }
  if (await reusesId(deps.client, described)) throw refuse(`its parent ${id} reuses the id of a pipeline that had closed, which Baton never does`);
}

/**
 * Whether the first segment of a run's chain was started fresh (Baton never starts a run with a
 * carried-over state) and completed a runAgent activity, which it does only once an agent ran.
 */
async function launchedFromStart(client: Client, { current, firstRunId }: Described): Promise<boolean> {
  const started = await readWorkflowInput<RunWorkflowInput>(client, current.workflowId, firstRunId);
  if (!started || started.carried) return false;
  const history = await client.workflow
    .getHandle(current.workflowId, firstRunId)
    .fetchHistory()
    .catch(() => null);
  const events = history?.events ?? [];
  const agentSteps = new Set(events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'runAgent').map((e) => String(e.eventId)));
  return events.some((e) => agentSteps.has(String(e.activityTaskCompletedEventAttributes?.scheduledEventId)));
}
