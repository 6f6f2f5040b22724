// What the bench reads from /proc: a process's state and group, and its resident memory (now and peak).
import { readFileSync } from 'node:fs';

/** { state, pgrp } of a process, or null once it is gone. */
export function procStat(pid) {
  let text;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0], pgrp: Number(fields[2]) };
}

/** Gone, or a zombie (exited, waiting to be reaped): no longer running code. */
export function isGone(pid) {
  const stat = procStat(pid);
  return stat === null || stat.state === 'Z' || stat.state === 'X';
}

/** VmRSS in kB. */
export function rssKb(pid) {
  return statusKb(pid, 'VmRSS');
}

/** VmHWM in kB: the kernel's high-water mark of the process's RSS, so no peak falls between samples. */
export function peakRssKb(pid) {
  return statusKb(pid, 'VmHWM');
}

function statusKb(pid, field) {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(match[1]);
}
