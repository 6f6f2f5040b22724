// Git worktrees for pipelines with isolation "worktree": each worker gets its own checkout on its
// own branch; the pipeline commits each worker's changes and merges the branches back. Every step
// is safe to repeat (an activity may be retried).
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { execa } from 'execa';
import type { IsolationBase, MergeOutcome, PipelineActivities } from '../domain/pipeline-activities.js';

/** Commits are Baton's when the repository has no identity of its own configured. */
const IDENTITY = ['-c', 'user.name=Baton', '-c', 'user.email=baton@localhost'];

async function git(cwd: string, args: string[], allowFailure = false) {
  const result = await execa('git', [...IDENTITY, ...args], { cwd, reject: false, all: true });
  if (result.exitCode !== 0 && !allowFailure) {
    throw ApplicationFailure.create({
      type: 'BatonGitFailed',
      message: `git ${args.join(' ')} failed in ${cwd} (exit ${result.exitCode}): ${String(result.all ?? '')
        .trim()
        .slice(-1000)}`,
      nonRetryable: true,
    });
  }
  return result;
}

/** The repository must be clean: workers' branches merge back into it. */
export async function prepareIsolation(host: string, repo: string): Promise<IsolationBase> {
  const top = await git(repo, ['rev-parse', '--show-toplevel'], true);
  if (top.exitCode !== 0) {
    throw ApplicationFailure.create({ type: 'BatonGitFailed', message: `isolation "worktree" needs cwd ${repo} to be inside a git repository`, nonRetryable: true });
  }
  const status = await git(repo, ['status', '--porcelain']);
  if (String(status.stdout).trim() !== '') {
    throw ApplicationFailure.create({
      type: 'BatonGitFailed',
      message: `isolation "worktree" needs a clean working tree in ${repo} (workers' branches are merged back into it): commit or stash first`,
      nonRetryable: true,
    });
  }
  const head = await git(repo, ['rev-parse', 'HEAD']);
  return { host, base: String(head.stdout).trim() };
}

export async function createWorktree(repo: string, dir: string, branch: string, base: string): Promise<string> {
  const existing = await git(repo, ['worktree', 'list', '--porcelain']);
  if (String(existing.stdout).includes(`worktree ${dir}\n`)) return dir;
  await mkdir(path.dirname(dir), { recursive: true });
  await git(repo, ['worktree', 'add', '-B', branch, dir, base]);
  return dir;
}

/** Commits whatever the worker changed; false when it changed nothing. */
export async function commitWorktree(dir: string, message: string): Promise<boolean> {
  await git(dir, ['add', '-A']);
  const staged = await git(dir, ['diff', '--cached', '--quiet'], true);
  if (staged.exitCode === 0) return false;
  await git(dir, ['commit', '-m', message]);
  return true;
}

/** Merges a worker's branch into the repository; a conflict is undone and reported, file by file. */
export async function mergeBranch(repo: string, branch: string, message: string): Promise<MergeOutcome> {
  const merge = await git(repo, ['merge', '--no-ff', '-m', message, branch], true);
  if (merge.exitCode === 0) return { merged: true };
  const conflicted = await git(repo, ['diff', '--name-only', '--diff-filter=U'], true);
  await git(repo, ['merge', '--abort'], true);
  const conflicts = String(conflicted.stdout).split('\n').filter(Boolean);
  if (conflicts.length === 0) {
    throw ApplicationFailure.create({
      type: 'BatonGitFailed',
      message: `git merge ${branch} failed: ${String(merge.all ?? '')
        .trim()
        .slice(-1000)}`,
      nonRetryable: true,
    });
  }
  return { merged: false, conflicts };
}

export async function removeWorktree(repo: string, dir: string, branch: string, keepBranch: boolean): Promise<void> {
  await git(repo, ['worktree', 'remove', '--force', dir], true);
  if (!keepBranch) await git(repo, ['branch', '-D', branch], true);
}

/** The git activities, bound to this host (worktrees live under the data dir). */
export function createPipelineActivities(deps: { hostId: string; dataDir: string }): PipelineActivities {
  return {
    prepareIsolation: (repo) => prepareIsolation(deps.hostId, repo),
    createWorktree: (r) => createWorktree(r.repo, path.join(deps.dataDir, 'worktrees', r.pipeline_id, r.name), r.branch, r.base),
    commitWorktree: (r) => commitWorktree(r.dir, r.message),
    mergeBranch: (r) => mergeBranch(r.repo, r.branch, r.message),
    removeWorktree: (r) => removeWorktree(r.repo, r.dir, r.branch, r.keep_branch),
  };
}
