/** A job row as the contract shows it: the JobSnapshot of the in-memory jobs plus its session, run and resumability. */
import type { StoredJobSnapshot } from '../../../shared/types/workspace';
import type { JobRow } from '../../storage/jobs';

export function toSnapshot(row: JobRow): StoredJobSnapshot {
  const base = {
    id: row.id, kind: row.kind, spec: row.spec, progress: { done: row.done, total: row.total }, createdAt: row.createdAt, startedAt: row.startedAt, endedAt: row.endedAt,
    sessionId: row.sessionId, runId: row.runId, skipped: row.skipped, resumable: row.state === 'failed' || row.state === 'cancelled'
  };
  if (row.state === 'failed') return { ...base, state: 'failed', error: row.error ?? { code: 'INTERNAL', message: 'The job failed without a recorded error.' } };
  return { ...base, state: row.state, error: undefined };
}
