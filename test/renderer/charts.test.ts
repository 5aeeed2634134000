// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import ColorBar from '../../renderer/components/charts/ColorBar.vue';
import { colorAt, mapRange, mapToRgba } from '../../renderer/components/charts/colormap';
import JobStatus from '../../renderer/components/jobs/JobStatus.vue';
import type { JobSnapshot } from '../../shared/types/jobs';

describe('saliency colour scale', () => {
  it('picks a sequential scale for one-signed maps and a diverging one for signed maps', () => {
    expect(mapRange(new Float32Array([0, 0.5, 2]))).toEqual({ min: 0, max: 2, kind: 'sequential' });
    expect(mapRange(new Float32Array([-1, 0.5, 3]))).toEqual({ min: -1, max: 3, kind: 'diverging' });
    expect(mapRange(new Float32Array([NaN, Infinity, 1]))).toEqual({ min: 1, max: 1, kind: 'sequential' });
    expect(mapRange(new Float32Array([]))).toEqual({ min: 0, max: 0, kind: 'sequential' });
  });

  it('runs dark to bright (sequential) and blue–white–red (diverging)', () => {
    expect(colorAt(0, 'sequential')).toEqual([0, 0, 4]);
    expect(colorAt(1, 'sequential')).toEqual([252, 255, 164]);
    expect(colorAt(0.5, 'diverging')).toEqual([247, 247, 247]);
    const [r0, , b0] = colorAt(0, 'diverging');
    expect(b0).toBeGreaterThan(r0);
  });

  it('makes weak attribution transparent and strong attribution opaque', () => {
    const data = new Float32Array([0, 0.25, 1]);
    const rgba = mapToRgba(data, mapRange(data), 1);
    expect(rgba[3]).toBe(0);
    expect(rgba[7]).toBeGreaterThan(0);
    expect(rgba[11]).toBe(255);
    const signed = new Float32Array([-2, 0, 2]);
    const s = mapToRgba(signed, mapRange(signed), 0.5);
    expect(s[3]).toBe(128);
    expect(s[7]).toBe(0);
    expect(s[11]).toBe(128);
  });

  it('labels the colour bar with aligned min, middle and max', () => {
    const seq = mount(ColorBar, { props: { range: { min: 0.00004, max: 0.8, kind: 'sequential' } } });
    expect(seq.get('[data-testid="color-bar-max"]').text()).toBe('0.800');
    expect(seq.get('[data-testid="color-bar-min"]').text()).toBe('0.000');
    const div = mount(ColorBar, { props: { range: { min: -3, max: 1.5, kind: 'diverging' } } });
    expect(div.findAll('.ticks span').map((t) => t.text())).toEqual(['3.00', '0', '-3.00']);
    const tiny = mount(ColorBar, { props: { range: { min: 0, max: 0.00002, kind: 'sequential' } } });
    expect(tiny.get('[data-testid="color-bar-max"]').text()).toBe('2.0e-5');
  });
});

describe('JobStatus', () => {
  const base = { id: 'j1', kind: 'saliency-maps', spec: {}, createdAt: '', startedAt: '', endedAt: null, progress: { done: 1, total: 4 } };

  it('shows progress and a Cancel button while running, and emits cancel', async () => {
    const job = { ...base, state: 'running' } as JobSnapshot;
    const w = mount(JobStatus, { props: { job, progress: { done: 1, total: 4, message: 'image 2 of 4' }, starting: false } });
    expect(w.get('[data-testid="job-percent"]').text()).toBe('25%');
    expect(w.text()).toContain('image 2 of 4');
    await w.get('[data-testid="job-cancel"]').trigger('click');
    expect(w.emitted('cancel')).toHaveLength(1);
  });

  it('shows nothing before any job, and no Cancel once the job has ended', () => {
    expect(mount(JobStatus, { props: { job: null, progress: null, starting: false } }).find('[data-testid="job-status"]').exists()).toBe(false);
    const done = mount(JobStatus, { props: { job: { ...base, state: 'succeeded' } as JobSnapshot, progress: { done: 4, total: 4 }, starting: false } });
    expect(done.get('[data-testid="job-state"]').text()).toBe('Done');
    expect(done.find('[data-testid="job-cancel"]').exists()).toBe(false);
  });
});
