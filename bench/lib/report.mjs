// The machine the numbers come from, the one table, and the JSON file.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function describeMachine(temporalCli) {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown';
  const memKb = Number(/^MemTotal:\s+(\d+)/m.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0);
  let nproc = os.availableParallelism();
  try {
    nproc = Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
  } catch {
    // os.availableParallelism() then
  }
  return {
    nproc,
    memory_gb: Math.round((memKb / 1024 / 1024) * 10) / 10,
    cpu_model: model,
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    temporal_cli: temporalCli,
  };
}

/** Which Baton is measured: its root and, when it is a git checkout, the commit (+ dirty). */
export function batonRevision(root) {
  try {
    const head = execFileSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['-C', root, 'status', '--porcelain', '--untracked-files=no', '--', 'src'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return `${root} @ ${head}${dirty ? ' + uncommitted changes in src/' : ''}`;
  } catch {
    return `${root} (not a git checkout)`;
  }
}

export function machineLine(m) {
  return `${m.nproc} CPUs (${m.cpu_model}), ${m.memory_gb} GB RAM, Node ${m.node}, ${m.os}, Temporal CLI ${m.temporal_cli}`;
}

/** One Markdown table: it reads in a terminal and pastes into docs/PERFORMANCE.md as it is. */
export function renderTable(rows) {
  const header = ['figure', 'target', 'measured', 'baseline (same run)', 'result', 'took'];
  const body = rows.map((r) => [r.figure, r.target, r.measured, r.baseline, r.error ? 'ERROR' : r.pass ? 'pass' : 'FAIL', `${Math.round(r.took_ms / 1000)} s`]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

export function writeResults(dir, report) {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${report.started_at.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}
