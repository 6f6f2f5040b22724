// `baton worker`: a worker alone, for more capacity or more hosts.
import type { BatonConfig } from '../config.js';
import { log } from '../log.js';
import { startServices } from './services.js';

export async function runWorker(config: BatonConfig): Promise<void> {
  const services = await startServices(config, { worker: true, say: (line) => log.info(line) });
  log.info(`worker running on host ${config.hostId}, task queue ${config.taskQueue}; Ctrl-C to stop (agents go on)`);
  const stop = () => void services.worker?.shutdown();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await services.worker!.done;
  await services.temporal.close();
  // A local worker is a session of the data dir's dev server like any other: the last one out stops it.
  await services.temporal.devServer?.stop();
}
