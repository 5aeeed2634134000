/**
 * Steps 3–5 of the replication: digits-cnn calibrated on the in-domain reference digits, run on
 * its errors on the out-of-domain set (inverted, rotated, noisy digits). Protocols A (zero) and B
 * (one-step fine-tune) with all five selectors; the layer-depth bias table of the z-score and POT
 * picks comes from the protocol-A run (the picks do not depend on the protocol); the threshold
 * sensitivity repeats protocol B with the POT selector alone at each level (§8.2).
 */
import type { SaliencySource } from '../../main/engine/parameter-saliency/verify/run';
import { DEMO, demoInputs, type Context } from './context';
import { PAPER_SENSITIVITY, PAPER_TABLES } from './paper';
import type { Report, RunBlock, SensitivityLevel } from './report-types';
import { runProtocol, type RunSpec } from './runner';
import { selfSource } from './sources';

type Base = Omit<RunSpec, 'id' | 'protocol' | 'calibration' | 'inputs'>;

const CALIBRATION = 'digits-cnn reference statistics (in-domain digits)';

/** Errors and images per corruption kind (file-name prefix), from the run's images and the set size. */
function byKind(run: RunBlock, total: Record<string, number>): Record<string, { images: number; errors: number }> {
  const out: Record<string, { images: number; errors: number }> = {};
  for (const [kind, images] of Object.entries(total)) out[kind] = { images, errors: run.images.filter((i) => i.kind === kind).length };
  return out;
}

async function kindTotals(ctx: Context): Promise<Record<string, number>> {
  const { getImageSet } = await import('../../main/engine/inputs');
  const totals: Record<string, number> = {};
  for (const item of (await getImageSet(demoInputs(ctx, DEMO.ood).path)).items) {
    const kind = /([a-z]+)-\d+\.\w+$/i.exec(item.path)?.[1] ?? 'other';
    totals[kind] = (totals[kind] ?? 0) + 1;
  }
  return totals;
}

/** Steps 3–4: both protocols on the OOD errors and the bias tables. */
export async function domainShift(ctx: Context, statsDir: string, base: Base): Promise<{ zero: RunBlock; finetune: RunBlock; domain: Report['domainShift'] }> {
  const source: SaliencySource = await selfSource(ctx, ctx.models.clean, statsDir, { level: base.level, estimator: 'mle', spotCompat: false });
  const spec = { ...base, calibration: CALIBRATION, inputs: demoInputs(ctx, DEMO.ood) };
  const zero = await runProtocol(ctx, ctx.models.clean, source, { ...spec, id: 'ood-zero', protocol: 'zero' });
  const finetune = await runProtocol(ctx, ctx.models.clean, source, { ...spec, id: 'ood-finetune', protocol: 'finetune' });
  const domain = { run: zero.id, biasK: base.biasK, bias: zero.bias, byKind: byKind(zero, await kindTotals(ctx)), paper: PAPER_TABLES };
  return { zero, finetune, domain };
}

/** Step 5: protocol B with the POT selector at each threshold level (curves only, no per-image data). */
export async function thresholdSensitivity(ctx: Context, statsDir: string, base: Base, levels: number[]): Promise<NonNullable<Report['sensitivity']>> {
  const out: SensitivityLevel[] = [];
  for (const level of levels) {
    const source = await selfSource(ctx, ctx.models.clean, statsDir, { level, estimator: 'mle', spotCompat: false });
    const run = await runProtocol(ctx, ctx.models.clean, source, { ...base, level, only: ['pot'], calibration: CALIBRATION, inputs: demoInputs(ctx, DEMO.ood), id: `ood-finetune-pot-${level}`, protocol: 'finetune' });
    const curve = run.curves[0];
    const short = run.images.filter((i) => i.selectors.pot.n > 0 && i.selectors.pot.n < base.K).length;
    const empty = run.images.filter((i) => i.selectors.pot.n === 0).length;
    out.push({ level, curve, short, empty });
  }
  return { protocol: 'finetune', selector: 'pot', levels: out, paper: PAPER_SENSITIVITY };
}
