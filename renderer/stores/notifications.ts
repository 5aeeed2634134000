/**
 * The one path from a failure to the screen: stores catch errors and hand them here, and the
 * toasts render this list. Cancellations are silent; expected failures show their message and
 * hint; bugs (INTERNAL) show a generic sentence with the technical detail to copy.
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { AppError, isCancellation } from '../../shared/errors';

export type NotificationKind = 'error' | 'warning' | 'info';

export interface Notification {
  id: number;
  kind: NotificationKind;
  title: string;
  message: string;
  hint?: string;
  detail?: string;
}

const AUTO_DISMISS_MS: Record<NotificationKind, number | null> = { error: null, warning: 10_000, info: 5_000 };

export const useNotificationsStore = defineStore('notifications', () => {
  const items = ref<Notification[]>([]);
  let nextId = 1;

  function dismiss(id: number): void {
    items.value = items.value.filter((n) => n.id !== id);
  }

  function push(n: Omit<Notification, 'id'>): number {
    const id = nextId++;
    items.value = [...items.value, { ...n, id }];
    const ms = AUTO_DISMISS_MS[n.kind];
    if (ms !== null) setTimeout(() => dismiss(id), ms);
    return id;
  }

  /** Shows `err` as a toast titled with what failed (`context`); cancellations are ignored. */
  function error(err: unknown, context: string): void {
    const e = AppError.from(err);
    if (isCancellation(err) || isCancellation(e)) return;
    if (e.code === 'INTERNAL') {
      push({ kind: 'error', title: context, message: 'Something went wrong inside the workbench.', hint: e.hint, detail: e.detail ?? e.message });
      return;
    }
    push({ kind: 'error', title: context, message: e.message, hint: e.hint, detail: e.detail });
  }

  return { items, push, error, dismiss };
});
