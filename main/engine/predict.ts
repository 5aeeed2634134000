/** Top-k class probabilities for every selected input, batched. */
import type * as tf from '@tensorflow/tfjs';
import type { Prediction } from '../../shared/types/model';
import type { SkippedFile } from '../../shared/types/images';
import type { ModelHandle } from './model/model-handle';
import { countInputs, inputBatches } from './inputs';
import type { InputsSpec } from './protocol';
import type { HandlerIO } from './handlers';

export async function predict(tfl: typeof tf, model: ModelHandle, spec: InputsSpec, top: number, batchSize: number, io: HandlerIO): Promise<Prediction[]> {
  const total = await countInputs(spec);
  const k = Math.min(top, model.descriptor.classNames.length);
  const out: Prediction[] = [];
  const skipped: SkippedFile[] = [];
  for await (const batch of inputBatches(tfl, spec, model.descriptor, batchSize, io.signal, (s) => skipped.push(...s))) {
    const probs = tfl.tidy(() => model.probabilities(batch.x));
    batch.x.dispose();
    const { values, indices } = tfl.topk(probs, k);
    const [v, i] = [await values.data(), await indices.data()];
    tfl.dispose([probs, values, indices]);
    batch.indices.forEach((index, row) => {
      const topList = Array.from({ length: k }, (_, j) => ({ classIndex: i[row * k + j], className: model.descriptor.classNames[i[row * k + j]], probability: v[row * k + j] }));
      out.push({ index, top: topList, label: batch.labels[row] });
    });
    io.progress({ done: out.length + skipped.length, total, message: `predicted ${out.length} of ${total}` });
  }
  return out;
}
