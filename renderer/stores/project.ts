/** The open project: its models and image sets, and which of each the user has selected. */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { AppError } from '../../shared/errors';
import type { ProjectSnapshot } from '../../shared/types/project';
import { getApi } from '../api';
import { useNotificationsStore } from './notifications';

export const useProjectStore = defineStore('project', () => {
  const project = shallowRef<ProjectSnapshot | null>(null);
  const loading = ref(false);
  /** Why the project could not be opened, when it could not. */
  const loadError = ref<string | null>(null);
  const selectedModelId = ref<string | null>(null);
  const selectedImageSetId = ref<string | null>(null);

  const selectedModel = computed(() => project.value?.models.find((m) => m.id === selectedModelId.value) ?? null);
  const selectedImageSet = computed(() => project.value?.imageSets.find((s) => s.id === selectedImageSetId.value) ?? null);

  /** Loads the project and selects its first model and image set. */
  async function load(): Promise<void> {
    loading.value = true;
    loadError.value = null;
    try {
      const p = await getApi().project.current({});
      project.value = p;
      selectedModelId.value = p.models[0]?.id ?? null;
      selectedImageSetId.value = p.imageSets[0]?.id ?? null;
    } catch (err) {
      loadError.value = AppError.from(err).message;
      useNotificationsStore().error(err, 'Could not open the project');
    } finally {
      loading.value = false;
    }
  }

  /** Shows a project another request opened (project:create/open) and selects its first model and image set. */
  function setSnapshot(p: ProjectSnapshot): void {
    project.value = p;
    loadError.value = null;
    selectedModelId.value = p.models[0]?.id ?? null;
    selectedImageSetId.value = p.imageSets[0]?.id ?? null;
  }

  /** Re-reads the open project (after an import) keeping the selection where it still exists. */
  async function refresh(): Promise<void> {
    const p = await getApi().project.current({});
    project.value = p;
    if (!p.models.some((m) => m.id === selectedModelId.value)) selectedModelId.value = p.models[0]?.id ?? null;
    if (!p.imageSets.some((s) => s.id === selectedImageSetId.value)) selectedImageSetId.value = p.imageSets[0]?.id ?? null;
  }

  function selectModel(id: string): void {
    selectedModelId.value = id;
  }

  function selectImageSet(id: string): void {
    selectedImageSetId.value = id;
  }

  return { project, loading, loadError, selectedModelId, selectedImageSetId, selectedModel, selectedImageSet, load, setSnapshot, refresh, selectModel, selectImageSet };
});
