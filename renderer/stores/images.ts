/**
 * One page of the selected image set with the selected model's top predictions, and the image
 * the user picked. Thumbnails and predictions are replaced as a whole (shallowRef), never mutated.
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { RgbaImage } from '../../shared/types/images';
import type { Prediction } from '../../shared/types/model';
import type { ImageListItem } from '../../shared/types/project';
import { getApi } from '../api';
import { useNotificationsStore } from './notifications';

/** Images per grid page. */
export const PAGE_SIZE = 40;
const THUMB_SIZE = 64;
const DETAIL_SIZE = 280;

export const useImagesStore = defineStore('images', () => {
  const items = shallowRef<ImageListItem[]>([]);
  const predictions = shallowRef<ReadonlyMap<number, Prediction>>(new Map());
  const total = ref(0);
  const offset = ref(0);
  const loading = ref(false);
  const selectedIndex = ref<number | null>(null);
  const selectedImage = shallowRef<RgbaImage | null>(null);
  let request = 0;

  const selectedItem = computed(() => items.value.find((i) => i.index === selectedIndex.value) ?? null);
  const selectedPrediction = computed(() => (selectedIndex.value === null ? null : (predictions.value.get(selectedIndex.value) ?? null)));

  /** Loads one page of thumbnails and, when a model is given, its predictions for that page. */
  async function loadPage(imageSetId: string, modelId: string | null, pageOffset = 0): Promise<void> {
    const mine = ++request;
    loading.value = true;
    const notify = useNotificationsStore();
    try {
      const page = await getApi().images.list({ imageSetId, offset: pageOffset, limit: PAGE_SIZE, thumbSize: THUMB_SIZE });
      if (mine !== request) return;
      items.value = page.items;
      total.value = page.total;
      offset.value = page.offset;
      predictions.value = new Map();
      if (modelId && page.items.length) await loadPredictions(mine, imageSetId, modelId, page.items);
    } catch (err) {
      notify.error(err, 'Could not list the images');
    } finally {
      if (mine === request) loading.value = false;
    }
  }

  async function loadPredictions(mine: number, imageSetId: string, modelId: string, page: ImageListItem[]): Promise<void> {
    try {
      const list = await getApi().models.predict({ modelId, imageSetId, indices: page.map((i) => i.index), top: 3 });
      if (mine === request) predictions.value = new Map(list.map((p) => [p.index, p]));
    } catch (err) {
      useNotificationsStore().error(err, 'Could not compute predictions');
    }
  }

  /** Selects an image and fetches a larger rendering of it for the saliency overlay. */
  async function select(imageSetId: string, index: number): Promise<void> {
    selectedIndex.value = index;
    selectedImage.value = selectedItem.value?.thumbnail ?? null;
    try {
      const page = await getApi().images.list({ imageSetId, offset: index, limit: 1, thumbSize: DETAIL_SIZE });
      if (selectedIndex.value === index && page.items[0]) selectedImage.value = page.items[0].thumbnail;
    } catch (err) {
      useNotificationsStore().error(err, 'Could not load the image');
    }
  }

  function clearSelection(): void {
    selectedIndex.value = null;
    selectedImage.value = null;
  }

  return { items, predictions, total, offset, loading, selectedIndex, selectedImage, selectedItem, selectedPrediction, loadPage, select, clearSelection };
});
