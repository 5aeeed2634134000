/**
 * The saliency methods the engine offers (`saliency:methods`) and the run the user is setting up:
 * the chosen method, what was typed into each method's parameter form (kept per method, so
 * switching back does not lose it), target, score and seed. `run` is the `jobs:start` part the
 * form describes, or null while a field cannot be read.
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { SaliencyJobSpec } from '../../shared/ipc/contract';
import type { ScoreKind, SaliencyMethodInfo } from '../../shared/types/saliency';
import { getApi } from '../api';
import { fieldsOf, initialDraft, parseDraft, parseSeed, type ParamDraft } from '../methods/form';
import { useNotificationsStore } from './notifications';

export type TargetChoice = 'predicted' | 'label' | 'class';

/** What `jobs:start` needs besides the model and the input. */
export type RunSpec = Pick<SaliencyJobSpec, 'method' | 'params' | 'target'> & { score: ScoreKind; seed?: number };

/** Preselected when the engine offers it: the cheapest method, as before methods could be chosen. */
const FIRST_CHOICE = 'gradient';

export const useMethodsStore = defineStore('methods', () => {
  const methods = shallowRef<SaliencyMethodInfo[]>([]);
  const loaded = ref(false);
  const selectedId = ref<string | null>(null);
  const drafts = ref<Record<string, ParamDraft>>({});
  const target = ref<TargetChoice>('predicted');
  const classIndex = ref(0);
  const score = ref<ScoreKind>('logit');
  const seed = ref('');

  const selected = computed(() => methods.value.find((m) => m.id === selectedId.value) ?? null);
  const fields = computed(() => (selected.value ? fieldsOf(selected.value.defaults) : []));
  const draft = computed<ParamDraft>(() => (selectedId.value ? (drafts.value[selectedId.value] ?? {}) : {}));
  const parsed = computed(() => parseDraft(fields.value, draft.value));
  const seedError = computed(() => (selected.value?.stochastic ? (parseSeed(seed.value).error ?? null) : null));
  const hasErrors = computed(() => Object.keys(parsed.value.errors).length > 0 || seedError.value !== null);

  const run = computed<RunSpec | null>(() => {
    const method = selected.value;
    if (!method || hasErrors.value) return null;
    const spec: RunSpec = { method: method.id, params: parsed.value.params, target: targetSpec(), score: score.value };
    const s = method.stochastic ? parseSeed(seed.value).seed : undefined;
    return s === undefined ? spec : { ...spec, seed: s };
  });

  function targetSpec(): SaliencyJobSpec['target'] {
    if (target.value === 'class') return { kind: 'class', classIndex: classIndex.value };
    return { kind: target.value };
  }

  /** Fetches the method list once it is needed; a failure is a toast, and a later call tries again. */
  async function load(): Promise<void> {
    if (loaded.value) return;
    try {
      methods.value = await getApi().saliency.methods({});
      loaded.value = true;
      const first = methods.value.find((m) => m.id === FIRST_CHOICE) ?? methods.value[0];
      if (first && !selected.value) select(first.id);
    } catch (err) {
      useNotificationsStore().error(err, 'Could not list the saliency methods');
    }
  }

  /** Chooses a method; its score starts at the method's own default. */
  function select(id: string): void {
    const method = methods.value.find((m) => m.id === id);
    if (!method) return;
    selectedId.value = id;
    if (!drafts.value[id]) drafts.value = { ...drafts.value, [id]: initialDraft(method.defaults) };
    score.value = method.score;
  }

  function setParam(name: string, value: string | boolean): void {
    const id = selectedId.value;
    if (id) drafts.value = { ...drafts.value, [id]: { ...draft.value, [name]: value } };
  }

  /** Puts the selected method's defaults back into its form. */
  function resetParams(): void {
    const method = selected.value;
    if (method) drafts.value = { ...drafts.value, [method.id]: initialDraft(method.defaults) };
  }

  function setTarget(choice: TargetChoice, cls?: number): void {
    target.value = choice;
    if (cls !== undefined) classIndex.value = cls;
  }

  function setScore(kind: ScoreKind): void {
    score.value = kind;
  }

  function setSeed(text: string): void {
    seed.value = text;
  }

  return {
    methods, loaded, selectedId, drafts, target, classIndex, score, seed,
    selected, fields, draft, parsed, seedError, hasErrors, run,
    load, select, setParam, resetParams, setTarget, setScore, setSeed
  };
});
