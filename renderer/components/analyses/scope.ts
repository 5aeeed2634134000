/** Which images an analysis runs on: the selected one or the first N of the set (N clamped to the set). */
export interface ImageScope {
  mode: 'selected' | 'first';
  count: number;
}

/** The indices of a scope; empty when it names no image (no selection, empty set). */
export function scopeIndices(scope: ImageScope, selectedIndex: number | null, setSize: number): number[] {
  if (scope.mode === 'selected') return selectedIndex === null ? [] : [selectedIndex];
  const n = Math.max(0, Math.min(Math.floor(scope.count), setSize));
  return Array.from({ length: n }, (_, i) => i);
}

/** What the forms need from the workbench. */
export interface AnalysisContext {
  modelId: string | null;
  imageSetId: string | null;
  selectedIndex: number | null;
  setSize: number;
  models: Array<{ id: string; name: string }>;
  methods: Array<{ id: string; label: string }>;
  busy: boolean;
}
