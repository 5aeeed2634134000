/** Human-readable lines of `saliency maps`: the estimate before the run, and what was written after it. */
import type { MapsPlan, MapsResult } from '../../engine/protocol';

function seconds(s: number): string {
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  if (s < 120) return `${s.toFixed(1)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

function ms(v: number | null): string {
  return v === null ? '-' : `${v < 10 ? v.toFixed(2) : v.toFixed(1)} ms`;
}

/** The estimate, printed (to stderr) before any map is computed. */
export function formatEstimate(plan: MapsPlan, modelName: string): string {
  const e = plan.estimate;
  const per = e.passesPerInput;
  const lines = [
    `${plan.method} on ${modelName}: ${plan.count} inputs, batch ${plan.batchSize}, memory budget ${plan.memoryBudgetMB} MB (${plan.memorySource})`,
    `estimate: ${e.passes.total} passes (${per.forward} forward + ${per.backward} backward per input, incl. 1 forward for targets) ≈ ${seconds(e.seconds)}` +
      `  [${ms(e.msPerPass.forward)} forward, ${ms(e.msPerPass.backward)} backward per input, measured on ${e.probeRows}]`
  ];
  for (const w of plan.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n') + '\n';
}

/** What was written, with timing. */
export function formatMapsResult(result: MapsResult): string {
  const m = result.manifest;
  const t = m.timing;
  const lines = [
    `${m.counts.maps} maps [${m.shapes.maps.join(', ')}]${m.counts.skipped ? `, ${m.counts.skipped} inputs skipped (NaN rows)` : ''} in ${seconds(t.seconds)}: ${t.mapsPerSecond.toFixed(2)} maps/s, ${t.passesPerSecond.toFixed(1)} passes/s`
  ];
  for (const [role, file] of Object.entries(result.outputs)) lines.push(`  ${role.padEnd(12)} ${file}`);
  for (const w of result.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n') + '\n';
}
