// The workflows a Baton worker runs (this file is the bundle's entry point).
export { agentRun } from './agent-run.js';
export { channel } from './channel.js';
export { pipeline } from './pipeline.js';
export { readTranscript } from './read-transcript.js';
export { webhook } from './webhook.js';
export { scheduleWatcher } from './schedule-watcher.js';
export { agentInbox } from './agent-inbox.js';
export { bridgeScheduleNotifier } from './bridge-schedule-notifier.js';
