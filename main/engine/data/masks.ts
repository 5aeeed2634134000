/**
 * Human-annotation masks → `[h, w]` weights in [0, 1], aligned with the model input.
 * A mask is read as an image over a black background (transparent = not marked), colour masks are
 * reduced to BT.601 luma, and it is resized with the same bilinear resize as the inputs so mask
 * pixels line up with input pixels. Masks stored as 0/1 values (max ≤ 1, common for label maps
 * written by numpy/PIL) are taken as is; all others are divided by 255.
 */
import { decodeImageFile } from './decode';
import { convertChannels, resizeBilinear } from './preprocess';

/** Loads one mask resized to `size` = [h, w]; throws AppError IMAGE_UNREADABLE like decodeImageFile. */
export async function loadMaskFile(file: string, size: [number, number]): Promise<Float32Array> {
  const image = await decodeImageFile(file, { background: 'black' });
  let max = 0;
  for (const v of image.data) if (v > max) max = v;
  const divisor = max <= 1 ? 1 : 255;
  const resized = resizeBilinear(image.data, image.height, image.width, image.channels, size[0], size[1]);
  const grey = convertChannels(resized, image.channels, 1);
  for (let i = 0; i < grey.length; i++) grey[i] = Math.min(1, Math.max(0, grey[i] / divisor));
  return grey;
}
