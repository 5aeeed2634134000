/**
 * PyTorch per-map times measured on this project's 2-core machine, the target the benchmark is
 * compared against (issue #3: "at least as fast per map as PyTorch-based tools on the same CPU").
 * Only measured figures are listed; a method without one shows "—" in the table.
 */
export interface PyTorchReference {
  msPerMap: number;
  /** Where the figure comes from. */
  source: string;
}

const RESNET = 'ResNet-18 224×224';

const REFERENCES: Record<string, PyTorchReference> = {
  [`${RESNET}|gradient`]: { msPerMap: 72, source: 'issue #3: PyTorch 1.13, ResNet-18 224², input gradient, same machine (66–72 ms)' },
  [`${RESNET}|integrated-gradients`]: { msPerMap: 4080, source: 'README (earlier session): PyTorch, 50 steps + 1 (trapezoid), same machine' }
};

/** The reference for a model's method at the parameters it was measured with (defaults), or null. */
export function pytorchReference(model: string, method: string, atDefaults: boolean): PyTorchReference | null {
  return atDefaults ? (REFERENCES[`${model}|${method}`] ?? null) : null;
}

/** Every reference, for the note printed under the table. */
export function referenceNotes(): string[] {
  return Object.entries(REFERENCES).map(([key, r]) => `${key.replace('|', ' ')}: ${r.msPerMap} ms/map (${r.source})`);
}
