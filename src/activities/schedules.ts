// The short schedule activities (on the short-activity queue): delete a schedule for the stop marker, and
// look at and start schedules for the chain watcher. Each needs only the worker's client.
import type { Client } from '@temporalio/client';
import type { ScheduleActivities } from '../domain/schedule.js';
import { lookAtBridgeSchedule } from './bridge-schedule.js';
import { earlierScheduleState, endSchedule, startChainedSchedule } from '../client/schedule-lifecycle.js';

export function createScheduleActivities(deps: { client: Client; secretKey: Buffer }): ScheduleActivities {
  return {
    lookAtBridgeSchedule: (scheduleId) => lookAtBridgeSchedule(deps, scheduleId),
    deleteSchedule: async (scheduleId) => ({ deleted: await endSchedule(deps.client, scheduleId) }),
    earlierScheduleState: (scheduleId) => earlierScheduleState(deps.client, scheduleId),
    startChainedSchedule: async (input) => ({ started: await startChainedSchedule(deps.client, input) }),
  };
}
