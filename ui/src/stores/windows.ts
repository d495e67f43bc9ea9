import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import * as api from '../api'
import type { CommandError, HallWindow } from '../api'
import { keepShown, thenPut, type LoadStatus } from './requests'


const byPosition = (a: HallWindow, b: HallWindow) => a.position - b.position

export const useWindowsStore = defineStore('windows', () => {
  /** The hall's windows in floor order, as the shell last returned them. */
  const items = ref<HallWindow[]>([])
  const status = ref<LoadStatus>('idle')
  const loadError = ref<CommandError | null>(null)
  let inflight: Promise<void> | null = null

  const openCount = computed(() => items.value.filter((w) => w.state === 'open').length)

  /**
   * Loads the list. The first load shows the loading state; a reload keeps the rows on screen.
   * Never throws: a failure is kept in `loadError` (and `status` is `error` if nothing is shown).
   */
  const read = keepShown(status, loadError, async () => {
    items.value = (await api.listWindows()).slice().sort(byPosition)
  })
  function load(): Promise<void> {
    if (inflight) return inflight
    inflight = read().finally(() => {
      inflight = null
    })
    return inflight
  }

  function ensureLoaded(): Promise<void> {
    if (status.value === 'idle') return load()
    return inflight ?? Promise.resolve()
  }

  function put(w: HallWindow) {
    const i = items.value.findIndex((x) => x.id === w.id)
    if (i >= 0) items.value.splice(i, 1, w)
    else items.value = [...items.value, w].sort(byPosition)
  }

  /** Each answers the item as saved, already in the list. */
  const create = thenPut(api.createWindow, put)
  const update = thenPut(api.updateWindow, put)
  const setState = thenPut(api.setWindowState, put)

  async function remove(id: string): Promise<void> {
    await api.deleteWindow(id)
    items.value = items.value.filter((w) => w.id !== id)
  }

  /** Persists a new floor order; on refusal reloads the list (so the screen shows the truth) and rethrows. */
  async function reorder(orderedIds: string[]): Promise<void> {
    try {
      items.value = (await api.reorderWindows(orderedIds)).slice().sort(byPosition)
    } catch (e) {
      await load()
      throw e
    }
  }

  return { items, status, loadError, openCount, load, ensureLoaded, create, update, setState, remove, reorder }
})
