import { describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors';
import type { JobSnapshot } from '../../shared/types/jobs';
import { EventBus } from '../../main/app/event-bus';
import { JobManager } from '../../main/jobs/job-manager';

function setup() {
  const events = new EventBus();
  const states: Array<[string, string]> = [];
  events.on((event, payload) => {
    if (event === 'jobs:state') states.push([(payload as JobSnapshot).id, (payload as JobSnapshot).state]);
  });
  return { jobs: new JobManager(events), states, events };
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const settled = (jobs: JobManager, id: string) =>
  new Promise<JobSnapshot>((resolve) => {
    const poll = () => (['succeeded', 'failed', 'cancelled'].includes(jobs.get(id).state) ? resolve(jobs.get(id)) : setTimeout(poll, 5));
    poll();
  });

describe('JobManager', () => {
  it('runs one job at a time, in order, through queued → running → succeeded', async () => {
    const { jobs, states } = setup();
    const gate = deferred();
    const order: string[] = [];
    const a = jobs.submit('k', {}, async () => {
      order.push('a');
      await gate.promise;
    });
    const b = jobs.submit('k', {}, async () => {
      order.push('b');
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(jobs.get(a.id).state).toBe('running');
    expect(jobs.get(b.id).state).toBe('queued');
    gate.resolve();
    await settled(jobs, b.id);
    expect(order).toEqual(['a', 'b']);
    expect(states.filter(([id]) => id === a.id).map(([, s]) => s)).toEqual(['queued', 'running', 'succeeded']);
  });

  it('cancels a running job through its signal and ends it as cancelled, not failed', async () => {
    const { jobs } = setup();
    const job = jobs.submit('k', {}, (io) => new Promise((_, reject) => io.signal.addEventListener('abort', () => reject(new AppError('CANCELLED', 'c')))));
    await new Promise((r) => setTimeout(r, 10));
    expect(jobs.cancel(job.id)).toBe(true);
    const final = await settled(jobs, job.id);
    expect(final.state).toBe('cancelled');
    expect(final.error).toBeUndefined();
    expect(jobs.cancel(job.id)).toBe(false);
  });

  it('cancels a queued job without running it', async () => {
    const { jobs } = setup();
    const gate = deferred();
    const first = jobs.submit('k', {}, () => gate.promise);
    let ran = false;
    const second = jobs.submit('k', {}, async () => {
      ran = true;
    });
    jobs.cancel(second.id);
    gate.resolve();
    await settled(jobs, first.id);
    expect(jobs.get(second.id).state).toBe('cancelled');
    expect(ran).toBe(false);
  });

  it('fails a job with its AppError (e.g. an engine crash) and goes on with the next', async () => {
    const { jobs } = setup();
    const bad = jobs.submit('k', {}, async () => {
      throw new AppError('ENGINE_CRASHED', 'engine died');
    });
    const good = jobs.submit('k', {}, async () => {});
    const final = await settled(jobs, bad.id);
    expect(final.state).toBe('failed');
    expect(final.error).toMatchObject({ code: 'ENGINE_CRASHED', message: 'engine died' });
    expect((await settled(jobs, good.id)).state).toBe('succeeded');
  });

  it('throttles progress events to about 10 Hz but always delivers the last one', async () => {
    const { jobs, events } = setup();
    const seen: number[] = [];
    events.on((event, payload) => {
      if (event === 'jobs:progress') seen.push((payload as { progress: { done: number } }).progress.done);
    });
    const job = jobs.submit('k', {}, async (io) => {
      for (let i = 1; i <= 1000; i++) io.progress({ done: i, total: 1000 });
    });
    await settled(jobs, job.id);
    expect(seen.length).toBeLessThan(5);
    expect(seen[seen.length - 1]).toBe(1000);
    expect(jobs.get(job.id).progress.done).toBe(1000);
  });

  it('reports unknown job ids as NOT_FOUND', () => {
    const { jobs } = setup();
    expect(() => jobs.get('nope')).toThrow(/no job/);
    expect(() => jobs.cancel('nope')).toThrow(AppError);
  });
});
