/**
 * Registry of input-space saliency methods: an explicit list (no directory scanning). Adding a
 * method is one file plus one line here; its `id` is persisted and must never change.
 */
import { AppError } from '../../../shared/errors';
import { extremalPerturbation } from './extremal-perturbation';
import { gradCam } from './grad-cam';
import { gradCamPlusPlus } from './grad-cam-pp';
import { gradient } from './gradient';
import { inputXGradient } from './input-x-gradient';
import { integratedGradients } from './integrated-gradients';
import { occlusion } from './occlusion';
import { rise } from './rise';
import { smoothgrad } from './smoothgrad';
import type { SaliencyMethod } from './method';

export type { SaliencyBatchResult, SaliencyContext, SaliencyMethod } from './method';

const METHODS: readonly SaliencyMethod[] = [gradient, inputXGradient, smoothgrad, integratedGradients, gradCam, gradCamPlusPlus, occlusion, rise, extremalPerturbation];

/** Every registered method, in display order. */
export function listMethods(): SaliencyMethod[] {
  return [...METHODS];
}

/** The method with this id. @throws AppError METHOD_UNKNOWN listing the known ids */
export function getMethod(id: string): SaliencyMethod {
  const method = METHODS.find((m) => m.id === id);
  if (method) return method;
  throw new AppError('METHOD_UNKNOWN', `Unknown saliency method "${id}"; known methods: ${METHODS.map((m) => m.id).join(', ')}.`);
}
