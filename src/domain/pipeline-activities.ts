// The contract between the pipeline workflow and its git activities (isolation "worktree").

export interface IsolationBase {
  /** The host whose disk holds the repository: worktrees, workers and merges all happen there. */
  host: string;
  /** The commit every worker branch starts from. */
  base: string;
}

export type MergeOutcome = { merged: true } | { merged: false; conflicts: string[] };

export interface PipelineActivities {
  prepareIsolation: (repo: string) => Promise<IsolationBase>;
  /** Creates (or finds) the worktree of one step; returns its directory. */
  createWorktree: (request: { repo: string; pipeline_id: string; name: string; branch: string; base: string }) => Promise<string>;
  commitWorktree: (request: { dir: string; message: string }) => Promise<boolean>;
  mergeBranch: (request: { repo: string; branch: string; message: string }) => Promise<MergeOutcome>;
  removeWorktree: (request: { repo: string; dir: string; branch: string; keep_branch: boolean }) => Promise<void>;
}
