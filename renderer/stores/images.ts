/**
 * One page of the selected image set with the selected model's top predictions, and the image
 * the user picked. Thumbnails and predictions are replaced as a whole (shallowRef), never mutated.
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { RgbaImage } from '../../shared/types/images';
import type { Prediction } from '../../shared/types/model';
import type { ImageListItem, ImageListPage } from '../../shared/types/project';
import { getApi } from '../api';
import { useNotificationsStore } from './notifications';

/** Images per grid page. */
export const PAGE_SIZE = 40;
const THUMB_SIZE = 64;
const DETAIL_SIZE = 280;

interface LoadedPage {
  page: ImageListPage;
  /** Top-3 predictions by image index; empty when there is no model or predicting failed. */
  predictions: Map<number, Prediction>;
}

/** Fetches one page of thumbnails, then its predictions; a prediction failure is reported, not thrown. */
async function fetchPage(imageSetId: string, modelId: string | null, offset: number): Promise<LoadedPage> {
  const page = await getApi().images.list({ imageSetId, offset, limit: PAGE_SIZE, thumbSize: THUMB_SIZE });
  if (!modelId || !page.items.length) return { page, predictions: new Map() };
  try {
    const list = await getApi().models.predict({ modelId, imageSetId, indices: page.items.map((i) => i.index), top: 3 });
    return { page, predictions: new Map(list.map((p) => [p.index, p])) };
  } catch (err) {
    useNotificationsStore().error(err, 'Could not compute predictions');
    return { page, predictions: new Map() };
  }
}

/** The image at the detail panel's size; null when it could not be fetched (reported). */
async function fetchDetailImage(imageSetId: string, index: number): Promise<RgbaImage | null> {
  try {
    const page = await getApi().images.list({ imageSetId, offset: index, limit: 1, thumbSize: DETAIL_SIZE });
    return page.items[0]?.thumbnail ?? null;
  } catch (err) {
    useNotificationsStore().error(err, 'Could not load the image');
    return null;
  }
}

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

  /** Loads one page of thumbnails and, when a model is given, its predictions; a stale answer is dropped. */
  async function loadPage(imageSetId: string, modelId: string | null, pageOffset = 0): Promise<void> {
    const mine = ++request;
    loading.value = true;
    try {
      const loaded = await fetchPage(imageSetId, modelId, pageOffset);
      if (mine !== request) return;
      items.value = loaded.page.items;
      total.value = loaded.page.total;
      offset.value = loaded.page.offset;
      predictions.value = loaded.predictions;
    } catch (err) {
      useNotificationsStore().error(err, 'Could not list the images');
    } finally {
      if (mine === request) loading.value = false;
    }
  }

  /** Selects an image and fetches a larger rendering of it for the saliency overlay. */
  async function select(imageSetId: string, index: number): Promise<void> {
    selectedIndex.value = index;
    selectedImage.value = selectedItem.value?.thumbnail ?? null;
    const detail = await fetchDetailImage(imageSetId, index);
    if (detail && selectedIndex.value === index) selectedImage.value = detail;
  }

  function clearSelection(): void {
    selectedIndex.value = null;
    selectedImage.value = null;
  }

  /** Empties the grid (another project was opened); a page still loading is dropped. */
  function reset(): void {
    request++;
    items.value = [];
    predictions.value = new Map();
    total.value = 0;
    offset.value = 0;
    loading.value = false;
    clearSelection();
  }

  return { items, predictions, total, offset, loading, selectedIndex, selectedImage, selectedItem, selectedPrediction, loadPage, select, clearSelection, reset };
});
