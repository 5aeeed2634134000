/**
 * Which saliency maps the measures compare (algorithms.md §3.2): by default Grad-CAM at the
 * model's default layer (last conv with a spatial output), for each input's own predicted class,
 * on the pre-softmax logit. "Native" maps are the method's own grid (Grad-CAM: the layer's h×w
 * cells, `upsample: none`); "upsampled" maps are brought to the input size with the method's
 * `upsample` kernel, bicubic by default as in the authors' code. Methods without an `upsample`
 * parameter produce input-size maps, which then serve as both.
 */
import { AppError } from '../../../shared/errors';
import { getMethod, type SaliencyMethod } from '../saliency';

export const DEFAULT_MAP_METHOD = 'grad-cam';

export interface MapSpec {
  method: SaliencyMethod;
  /** Validated method parameters; `upsample` (CAM methods) is the kernel for upsampled maps. */
  params: Record<string, unknown>;
  /** Seed of the method's random draws (stochastic methods) and of the measures' own draws. */
  seed: number;
}

/** True when the method has a native grid of its own (an `upsample` parameter). */
export function hasNativeGrid(spec: MapSpec): boolean {
  return 'upsample' in spec.method.defaults;
}

/**
 * Resolves the method and its parameters. For CAM methods an absent `upsample` becomes
 * `bicubic`; `none` is refused, because the measures choose native or upsampled per comparison.
 * @throws AppError METHOD_UNKNOWN, PARAM_INVALID
 */
export function resolveMapSpec(methodId: string = DEFAULT_MAP_METHOD, params: Record<string, unknown> = {}, seed = 0): MapSpec {
  const method = getMethod(methodId);
  const given = { ...params };
  if ('upsample' in method.defaults) {
    if (given.upsample === 'none') {
      throw new AppError('PARAM_INVALID', `measure: \`upsample\` chooses the kernel of the upsampled maps (bilinear or bicubic); the measures use the native grid where the spec asks for it, so \`none\` is not a choice here.`);
    }
    given.upsample ??= 'bicubic';
  }
  if (!Number.isInteger(seed) || seed < 0) throw new AppError('PARAM_INVALID', `measure: \`seed\` must be a non-negative integer, got ${seed}.`);
  return { method, params: method.validate(given), seed };
}
