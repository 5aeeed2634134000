/**
 * The UI state a session saves so it reopens as it was: selected model, image set, page and
 * image, method with its typed parameters, target, score, seed, the centre view and the run whose
 * maps were shown, and the analysis job whose result the Analyses tab showed. Stored opaquely by main (`sessions:saveUiState`); read back defensively, since
 * an older or hand-edited session may hold anything.
 */
import { useAnalysesStore } from './analyses';
import { useImagesStore } from './images';
import { useMethodsStore, type TargetChoice } from './methods';
import { useProjectStore } from './project';
import { useRunsStore, type CenterView } from './runs';

export interface SessionUiState {
  modelId: string | null;
  imageSetId: string | null;
  imageOffset: number;
  imageIndex: number | null;
  methodId: string | null;
  /** The method form as typed (strings and booleans), so an invalid half-typed value survives too. */
  params: Record<string, string | boolean>;
  target: TargetChoice;
  classIndex: number;
  score: 'logit' | 'prob';
  seed: string;
  view: CenterView;
  runId: string | null;
  mapsOffset: number;
  /** The persisted analysis job whose result was open in the Analyses tab; null when the tab was not shown. */
  analysisJobId: string | null;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);
const int = (v: unknown, fallback: number): number => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : fallback);

/** Reads a saved state; anything missing or malformed falls back to "nothing chosen". */
export function parseUiState(raw: unknown): SessionUiState | null {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return null;
  const r = raw as Record<string, unknown>;
  if (Object.keys(r).length === 0) return null;
  const params: Record<string, string | boolean> = {};
  if (r.params && typeof r.params === 'object') {
    for (const [k, v] of Object.entries(r.params as Record<string, unknown>)) if (typeof v === 'string' || typeof v === 'boolean') params[k] = v;
  }
  return {
    modelId: str(r.modelId),
    imageSetId: str(r.imageSetId),
    imageOffset: int(r.imageOffset, 0),
    imageIndex: int(r.imageIndex, -1) >= 0 ? int(r.imageIndex, 0) : null,
    methodId: str(r.methodId),
    params,
    target: r.target === 'label' || r.target === 'class' ? r.target : 'predicted',
    classIndex: int(r.classIndex, 0),
    score: r.score === 'prob' ? 'prob' : 'logit',
    seed: typeof r.seed === 'string' ? r.seed : '',
    view: r.view === 'runs' ? 'runs' : 'images',
    runId: str(r.runId),
    mapsOffset: int(r.mapsOffset, 0),
    analysisJobId: str(r.analysisJobId)
  };
}

/** The current UI as a state to save. */
export function captureUiState(): SessionUiState {
  const project = useProjectStore();
  const images = useImagesStore();
  const methods = useMethodsStore();
  const runs = useRunsStore();
  const analyses = useAnalysesStore();
  return {
    modelId: project.selectedModelId,
    imageSetId: project.selectedImageSetId,
    imageOffset: images.offset,
    imageIndex: images.selectedIndex,
    methodId: methods.selectedId,
    params: { ...methods.draft },
    target: methods.target,
    classIndex: methods.classIndex,
    score: methods.score,
    seed: methods.seed,
    view: runs.view,
    runId: runs.viewRunId,
    mapsOffset: runs.mapsOffset,
    analysisJobId: analyses.open ? (analyses.result?.jobId ?? null) : null
  };
}

/** Puts a saved state back; ids the project no longer has are skipped, not errors. */
export async function applyUiState(state: SessionUiState): Promise<void> {
  const project = useProjectStore();
  const images = useImagesStore();
  const methods = useMethodsStore();
  const runs = useRunsStore();
  const snapshot = project.project;
  if (state.modelId && snapshot?.models.some((m) => m.id === state.modelId)) project.selectModel(state.modelId);
  if (state.imageSetId && snapshot?.imageSets.some((s) => s.id === state.imageSetId)) project.selectImageSet(state.imageSetId);
  if (state.methodId && methods.methods.some((m) => m.id === state.methodId)) {
    methods.select(state.methodId);
    for (const [name, value] of Object.entries(state.params)) methods.setParam(name, value);
    methods.setScore(state.score);
  }
  methods.setTarget(state.target, state.classIndex);
  methods.setSeed(state.seed);
  runs.setView(state.view);
  const setId = project.selectedImageSetId;
  if (setId) {
    images.clearSelection();
    await images.loadPage(setId, project.selectedModelId, state.imageOffset);
    if (state.imageIndex !== null && images.items.some((i) => i.index === state.imageIndex)) await images.select(setId, state.imageIndex);
  }
  if (state.runId) await runs.viewRun(state.runId, state.mapsOffset);
  // Last, so the Analyses tab (over the centre view) is what shows; a result that cannot be read says so there.
  if (state.analysisJobId) await useAnalysesStore().showStored(state.analysisJobId);
}
