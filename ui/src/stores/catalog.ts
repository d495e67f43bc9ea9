import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { listen } from '@tauri-apps/api/event'
import * as api from '../api'
import type {
  BindInput,
  Binding,
  BindingsChange,
  CommandError,
  CoverageReport,
  Department,
  Matter,
  UnbindInput,
} from '../api'
import { useWindowsStore } from './windows'
import { keepShown, serial, type LoadStatus } from './requests'


/** How a matter is served, as the board colours it (`data-coverage` of a catalog row). */
export type MatterCoverage = 'red' | 'amber' | 'ok' | 'retired'

/** The payload of the shell's `data-changed` event. */
export type DataEntity = 'windows' | 'catalog' | 'bindings' | 'staff' | 'roster' | 'thresholds'


const inShell = () => typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window

/** The bindings of each window (or matter), in the order they came. */
function groupBy(bindings: Binding[], key: (b: Binding) => string): Map<string, Binding[]> {
  const out = new Map<string, Binding[]>()
  for (const b of bindings) {
    const list = out.get(key(b))
    if (list) list.push(b)
    else out.set(key(b), [b])
  }
  return out
}

export const useCatalogStore = defineStore('catalog', () => {
  const windows = useWindowsStore()

  // The catalog can hold ten thousand matters: shallow refs, replaced as a whole, never deep-proxied.
  const departments = shallowRef<Department[]>([])
  const matters = shallowRef<Matter[]>([])
  const bindings = shallowRef<Binding[]>([])

  /** The board's data (catalog + bindings): loaded when the board is first opened. */
  const status = ref<LoadStatus>('idle')
  const loadError = ref<CommandError | null>(null)
  let catalogOk = false
  let bindingsOk = false

  /** The coverage audit: loaded at startup (the header badge is on every page). */
  const coverage = shallowRef<CoverageReport | null>(null)
  const coverageStatus = ref<LoadStatus>('idle')
  const coverageError = ref<CommandError | null>(null)

  // ---- derived ---------------------------------------------------------------------------------
  const departmentById = computed(() => new Map(departments.value.map((d) => [d.id, d])))
  const matterById = computed(() => new Map(matters.value.map((m) => [m.id, m])))

  const bindingsByWindow = computed(() => groupBy(bindings.value, (b) => b.windowId))
  const bindingsByMatter = computed(() => groupBy(bindings.value, (b) => b.matterId))

  const windowById = computed(() => new Map(windows.items.map((w) => [w.id, w])))

  /**
   * Each matter's colour, as core's coverage audit decides it: retired; red = required with no
   * window; amber = bound, but none of its windows is open; ok otherwise (an optional matter
   * without a window is not a fault).
   */
  const matterCoverage = computed(() => {
    const out = new Map<string, MatterCoverage>()
    const report = coverage.value
    const unbound = new Set(report?.unboundMatterIds ?? [])
    const inactiveOnly = new Set(report?.inactiveOnlyMatterIds ?? [])
    for (const m of matters.value) {
      if (m.state === 'retired') out.set(m.id, 'retired')
      else if (unbound.has(m.id)) out.set(m.id, m.required ? 'red' : 'ok')
      else if (inactiveOnly.has(m.id)) out.set(m.id, 'amber')
      else out.set(m.id, 'ok')
    }
    return out
  })

  /** An active matter that no open window handles (the board's "only uncovered" filter). */
  const uncoveredIds = computed(
    () => new Set([...(coverage.value?.unboundMatterIds ?? []), ...(coverage.value?.inactiveOnlyMatterIds ?? [])]),
  )
  function isUncovered(m: Matter): boolean {
    return m.state !== 'retired' && uncoveredIds.value.has(m.id)
  }

  // ---- loading ---------------------------------------------------------------------------------
  function settle() {
    if (catalogOk && bindingsOk) {
      loadError.value = null
      status.value = 'ready'
    } else if (status.value !== 'ready') {
      status.value = 'error'
    }
  }

  const fetchCatalog = serial(async () => {
    try {
      const c = await api.getCatalog()
      departments.value = c.departments
      matters.value = c.matters
      catalogOk = true
    } catch (e) {
      loadError.value = api.toCommandError(e)
      catalogOk = status.value === 'ready' && catalogOk
    }
  })

  const fetchBindings = serial(async () => {
    try {
      bindings.value = await api.listBindings()
      bindingsOk = true
    } catch (e) {
      loadError.value = api.toCommandError(e)
      bindingsOk = status.value === 'ready' && bindingsOk
    }
  })

  const fetchCoverage = serial(
    keepShown(coverageStatus, coverageError, async () => {
      coverage.value = await api.getCoverage()
    }),
  )

  let loading: Promise<void> | null = null

  /**
   * Loads the catalog and the bindings. The first load shows the loading state; a reload keeps the
   * board on screen. Never throws: a failure is kept in `loadError`.
   */
  function load(): Promise<void> {
    if (loading) return loading
    if (status.value !== 'ready') status.value = 'loading'
    loading = Promise.all([fetchCatalog(), fetchBindings()])
      .then(settle)
      .finally(() => {
        loading = null
      })
    return loading
  }

  function ensureLoaded(): Promise<void> {
    if (status.value === 'idle' || status.value === 'error') return load()
    return loading ?? Promise.resolve()
  }

  /** Re-reads the audit (the header badge and the drawer). Never throws. */
  function refreshCoverage(): Promise<void> {
    return fetchCoverage()
  }

  async function refreshBindings(): Promise<void> {
    if (status.value === 'idle') return
    await fetchBindings()
    settle()
  }

  async function refreshCatalog(): Promise<void> {
    if (status.value === 'idle') return
    await Promise.all([fetchCatalog(), fetchBindings()])
    settle()
  }

  /** Everything this store shows, e.g. after an import. */
  function reloadAll(): Promise<void> {
    return Promise.all([refreshCatalog(), refreshCoverage()]).then(() => undefined)
  }

  // ---- writes ----------------------------------------------------------------------------------
  async function bind(input: BindInput): Promise<BindingsChange> {
    const change = await api.bindMatters(input)
    bindings.value = change.bindings
    void refreshCoverage()
    return change
  }

  async function unbind(input: UnbindInput): Promise<BindingsChange> {
    const change = await api.unbindMatters(input)
    bindings.value = change.bindings
    void refreshCoverage()
    return change
  }

  // ---- change events ---------------------------------------------------------------------------
  /** What to refetch when the shell says some data changed (from this UI or, later, from sync). */
  function onDataChanged(entity: string) {
    switch (entity as DataEntity) {
      case 'catalog':
        void refreshCatalog()
        void refreshCoverage()
        break
      case 'bindings':
        void refreshBindings()
        void refreshCoverage()
        break
      case 'windows':
        // A window's state or existence changes what covers what; the cards follow the windows.
        if (windows.status !== 'idle') void windows.load()
        void refreshCoverage()
        break
      default:
        break
    }
  }

  let listening = false

  /** Subscribes once to `data-changed`. Outside the shell (plain browser) there are no events. */
  async function startListening(): Promise<void> {
    if (listening || !inShell()) return
    listening = true
    try {
      await listen<{ entity?: string }>('data-changed', (e) => onDataChanged(e.payload?.entity ?? ''))
    } catch {
      listening = false
    }
  }

  return {
    departments,
    matters,
    bindings,
    status,
    loadError,
    coverage,
    coverageStatus,
    coverageError,
    departmentById,
    matterById,
    bindingsByWindow,
    bindingsByMatter,
    windowById,
    matterCoverage,
    isUncovered,
    load,
    ensureLoaded,
    refreshCoverage,
    refreshBindings,
    refreshCatalog,
    reloadAll,
    bind,
    unbind,
    onDataChanged,
    startListening,
  }
})
