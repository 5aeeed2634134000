/** What the workbench has open: a project of models and image sets (the demo project by default). */
import type { ModelDescriptor } from './model';
import type { ImageSetSummary, RgbaImage } from './images';

export interface ModelEntry {
  id: string;
  descriptor: ModelDescriptor;
  /** Short user-facing note (e.g. "planted malicious filter in conv2d_1 #3"). */
  note: string | null;
}

export interface ProjectSnapshot {
  name: string;
  root: string;
  isDemo: boolean;
  models: ModelEntry[];
  imageSets: ImageSetSummary[];
}

export interface ImageListItem {
  index: number;
  path: string;
  label: string | null;
  thumbnail: RgbaImage;
}

export interface ImageListPage {
  imageSetId: string;
  total: number;
  offset: number;
  items: ImageListItem[];
}
