/**
 * How the UI presents the engine's saliency methods: the family each belongs to, whether its map
 * is signed, and why a model or backend cannot run it. The engine's registry states what a method
 * needs, not how to show it, so the display facts live here, keyed by the persisted method id.
 */
import type { BackendInfo, ModelDescriptor } from '../../shared/types/model';
import type { SaliencyMethodInfo } from '../../shared/types/saliency';

export type MethodFamily = 'gradient' | 'cam' | 'perturbation';

export const FAMILY_LABELS: Record<MethodFamily, string> = { gradient: 'Gradient family', cam: 'CAM', perturbation: 'Perturbation' };

/**
 * Extremal perturbation optimises its mask with gradients, but it explains by perturbing the
 * input, so it is listed with the perturbation methods rather than by what it requires.
 */
const FAMILY_BY_ID: Record<string, MethodFamily> = { 'extremal-perturbation': 'perturbation' };

/** Methods whose map keeps the sign (Σ over channels of a signed attribution): shown on the diverging scale. */
const SIGNED_IDS = new Set(['input-x-gradient', 'integrated-gradients']);

export function familyOf(method: SaliencyMethodInfo): MethodFamily {
  const known = FAMILY_BY_ID[method.id];
  if (known) return known;
  if (method.requires.includes('layer-activations')) return 'cam';
  return method.requires.includes('gradients') ? 'gradient' : 'perturbation';
}

export function isSignedMethod(id: string | null | undefined): boolean {
  return id !== null && id !== undefined && SIGNED_IDS.has(id);
}

export interface MethodGroup {
  family: MethodFamily;
  label: string;
  methods: SaliencyMethodInfo[];
}

/** The methods by family, in family order, each family in registry order; empty families are left out. */
export function groupMethods(methods: SaliencyMethodInfo[]): MethodGroup[] {
  const families: MethodFamily[] = ['gradient', 'cam', 'perturbation'];
  return families
    .map((family) => ({ family, label: FAMILY_LABELS[family], methods: methods.filter((m) => familyOf(m) === family) }))
    .filter((g) => g.methods.length > 0);
}

/**
 * Why `method` cannot run with this backend and model, or null when it can. Mirrors the engine's
 * own capability check, so the user learns it before starting a job rather than from its error.
 */
export function unsupportedReason(method: SaliencyMethodInfo, engine: BackendInfo | null, model: ModelDescriptor | null): string | null {
  if (method.requires.includes('gradients')) {
    if (engine && !engine.canComputeGradients) return `${method.label} needs gradients, which the ${engine.backend} backend cannot compute.`;
    if (model && !model.canComputeGradients) return `${method.label} needs gradients, which this ${model.format} model cannot provide (it is forward-only).`;
  }
  if (method.requires.includes('layer-activations') && model && model.convLayers.length === 0) {
    return `${method.label} needs the activations of a convolution layer, and this model has none.`;
  }
  return null;
}
