/** Human-readable renderings of CLI results (the --json forms are the raw objects). */
import type { BackendInfo, Prediction } from '../../shared/types/model';
import type { ImageSetItem, SkippedFile } from '../../shared/types/images';

export function formatInfo(info: BackendInfo): string {
  const lines = [
    `backend      ${info.backend}${info.nativePackage ? ` (${info.nativePackage})` : ''}`,
    `device       ${info.device}`,
    `tensorflow   ${info.tfVersion ?? '-'}`,
    `tfjs         ${info.tfjsVersion}`,
    `oneDNN       ${info.oneDnn === null ? '-' : info.oneDnn ? 'on' : 'off'}`,
    `gradients    ${info.canComputeGradients ? 'yes' : 'no (forward passes only)'}`,
    `node         ${info.nodeVersion} on ${info.platform}`
  ];
  if (info.fallbackReason) lines.push(`fallback     ${info.fallbackReason}`);
  return lines.join('\n') + '\n';
}

export function formatPredictions(predictions: Prediction[], items: ImageSetItem[], classNames: string[], skipped: SkippedFile[]): string {
  const rows = predictions.map((p) => {
    const top = p.top.map((t) => `${t.className} ${(t.probability * 100).toFixed(1)}%`).join(', ');
    const label = p.label === null ? '' : classNames[p.label];
    const mark = p.label === null ? ' ' : p.top[0]?.classIndex === p.label ? '✓' : '✗';
    return `${mark} ${String(p.index).padStart(5)}  ${(items[p.index]?.path ?? '').padEnd(28)} ${label.padEnd(8)} ${top}`;
  });
  const labelled = predictions.filter((p) => p.label !== null);
  const correct = labelled.filter((p) => p.top[0]?.classIndex === p.label).length;
  const summary = labelled.length ? `accuracy ${correct}/${labelled.length} (${((100 * correct) / labelled.length).toFixed(1)}%)` : `${predictions.length} inputs`;
  const skippedLines = skipped.map((s) => `skipped ${s.path}: ${s.reason}`);
  return [...rows, summary, ...skippedLines].join('\n') + '\n';
}
