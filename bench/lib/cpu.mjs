// Where the CPU went during a scenario: the machine as a whole (/proc/stat) and each of the
// bench's own processes (/proc/<pid>/stat: user + system time, and apart from it that of reaped
// children, which for a Baton worker are its agents). What is left over is other load on the machine.
import { readFileSync } from 'node:fs';

const TICKS_PER_S = 100;

function machineTicks() {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = fields[3] + fields[4];
  return { busy: fields.reduce((a, b) => a + b, 0) - idle, idle };
}

function processTicks(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = text
      .slice(text.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number);
    // fields from state (index 0): utime 11, stime 12, cutime 13, cstime 14
    return { self: f[11] + f[12], children: f[13] + f[14] };
  } catch {
    return null;
  }
}

/**
 * Starts a CPU account over named pids (a function, since workers come and go). The reaped
 * children of `parent` are not counted: they are the Baton processes the bench started and
 * stopped, already counted under their own names.
 */
export function cpuAccount(pids, parent = null) {
  const startMachine = machineTicks();
  const start = new Map();
  const seen = new Map();
  const look = () => {
    for (const [name, pid] of Object.entries(pids())) {
      if (!pid) continue;
      const key = `${name}:${pid}`;
      const ticks = processTicks(pid);
      if (ticks === null) continue;
      const parts =
        name === parent
          ? [['', ticks.self]]
          : [
              ['', ticks.self],
              [' (reaped children)', ticks.children],
            ];
      for (const [part, value] of parts) {
        if (!start.has(key + part)) start.set(key + part, value);
        seen.set(key + part, { name: name + part, ticks: value });
      }
    }
  };
  look();
  // Processes that die mid-scenario (a killed worker) keep their last reading.
  const timer = setInterval(look, 1000);
  timer.unref();
  return {
    look,
    finish() {
      clearInterval(timer);
      look();
      const endMachine = machineTicks();
      const busy = endMachine.busy - startMachine.busy;
      const idle = endMachine.idle - startMachine.idle;
      const byName = {};
      for (const [key, { name, ticks }] of seen) byName[name] = (byName[name] ?? 0) + (ticks - (start.get(key) ?? ticks));
      const ours = Object.values(byName).reduce((a, b) => a + b, 0);
      const seconds = (t) => Math.round((t / TICKS_PER_S) * 10) / 10;
      return {
        machine_busy_percent: Math.round((busy / Math.max(1, busy + idle)) * 100),
        machine_busy_cpu_s: seconds(busy),
        by_process_cpu_s: Object.fromEntries(Object.entries(byName).map(([k, v]) => [k, seconds(v)])),
        other_cpu_s: seconds(Math.max(0, busy - ours)),
        loadavg: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
      };
    },
  };
}

/** Busy share of the machine's CPUs over the next `ms`. */
export async function busyPercent(ms) {
  const a = machineTicks();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const b = machineTicks();
  const busy = b.busy - a.busy;
  return Math.round((busy / Math.max(1, busy + (b.idle - a.idle))) * 100);
}

/** Waits up to `maxSeconds` for the machine to be quiet (other work skews every figure). */
export async function waitForQuiet(maxSeconds, log, threshold = 15) {
  const deadline = Date.now() + maxSeconds * 1000;
  for (;;) {
    const busy = await busyPercent(5000);
    if (busy <= threshold) return busy;
    if (Date.now() >= deadline) {
      log(`the machine is still ${busy}% busy with other work; going on (figures will be pessimistic)`);
      return busy;
    }
    log(`the machine is ${busy}% busy with other work; waiting for it to quiet down (up to ${maxSeconds} s in all)`);
  }
}
