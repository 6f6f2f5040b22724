// The scenarios, in the order they run: the light ones first, the 2-core-filling flood last.
import { cancelLatency } from './cancel.mjs';
import { devServerKill } from './dev-server-kill.mjs';
import { flood } from './flood.mjs';
import { largeOutputMemory } from './large-output-memory.mjs';
import { outputLatency } from './output-latency.mjs';
import { peerClaudeBridge } from './peer-claude-bridge.mjs';
import { spawnLatency } from './spawn-latency.mjs';
import { throughput } from './throughput.mjs';
import { workerKill } from './worker-kill.mjs';
import { workerMemory } from './worker-memory.mjs';

export const scenarios = {
  spawn_latency: spawnLatency,
  peer_claude_bridge: peerClaudeBridge,
  throughput,
  output_latency: outputLatency,
  cancel_latency: cancelLatency,
  worker_kill: workerKill,
  dev_server_kill: devServerKill,
  worker_memory: workerMemory,
  large_output_memory: largeOutputMemory,
  flood,
};
