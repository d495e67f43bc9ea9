import { defineStore } from 'pinia'
import { nextTick, ref, shallowRef } from 'vue'
import { listen, type UnlistenFn } from '@tauri-apps/api/event'
import * as api from '../api'
import type { AlertSubject, CommandError, Dashboard, DashboardDelta } from '../api'

type Status = 'idle' | 'loading' | 'ready' | 'error'

/**
 * What following the feed costs the page: updates applied and the time Vue took to render them
 * (read by the dashboard benchmark as `window.__hkDashboardPerf`, with the page's own
 * `applyDelta` for its `--replay`).
 */
const pagePerf = { updates: 0, renderMs: 0 }
if (typeof window !== 'undefined') {
  const perf = Object.assign(pagePerf, { applyDelta })
  ;(window as unknown as { __hkDashboardPerf: typeof perf }).__hkDashboardPerf = perf
}

const inShell = () => typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window

/**
 * `list` with the delta's changed items put in (new objects only for those, so Vue re-renders
 * only the tiles and rows that changed), in `order` when the delta gives one. Mirrors core's
 * `dashboard::apply`.
 */
export function mergeList<T>(list: T[], changed: T[], order: string[] | null, key: (x: T) => string): T[] {
  if (changed.length === 0 && order === null) return list
  const fresh = new Map(changed.map((x) => [key(x), x]))
  if (order === null) return list.map((x) => fresh.get(key(x)) ?? x)
  const old = new Map(list.map((x) => [key(x), x]))
  const out: T[] = []
  for (const k of order) {
    const x = fresh.get(k) ?? old.get(k)
    if (x !== undefined) out.push(x)
  }
  return out
}

/** `base` with `delta` applied; parts the delta does not carry stay the same objects. */
export function applyDelta(base: Dashboard, delta: DashboardDelta): Dashboard {
  return {
    day: delta.day,
    at: delta.at,
    lastEventAt: delta.lastEventAt,
    seq: delta.seq,
    tiles: mergeList(base.tiles, delta.tiles, delta.tileOrder, (t) => t.windowId),
    matters: mergeList(base.matters, delta.matters, delta.matterOrder, (m) => m.matterId),
    totals: delta.totals ?? base.totals,
    hours: delta.hours ?? base.hours,
    waitingSeries: delta.waitingSeries ?? base.waitingSeries,
    alerts: delta.alerts ?? base.alerts,
    suggestions: delta.suggestions ?? base.suggestions,
  }
}

/** What a click on an alarm notification asks for: show this window's tile (or this matter's row). */
export interface FocusRequest {
  subject: AlertSubject
  subjectId: string
  /** Increases with every request, so the same tile asked for twice is shown twice. */
  seq: number
}

/**
 * The live queue monitor (总览): read once with `get_dashboard` (the shell's dashboard feed's last
 * picture), then kept live by the feed's `dashboard` (a whole picture: the first, a new day) and
 * `dashboard-delta` events (what changed, sent only when something did, at most about three times
 * a second). A delta that does not continue the picture held here makes it read the whole one
 * again. A click on a
 * queue-alarm notification arrives as `dashboard-focus`: the app goes to the dashboard and shows
 * that window's tile.
 */
export const useDashboardStore = defineStore('dashboard', () => {
  // Replaced as a whole on every update (up to 200 tiles): never deep-proxied.
  const dashboard = shallowRef<Dashboard | null>(null)
  const status = ref<Status>('idle')
  const loadError = ref<CommandError | null>(null)
  /** When the latest dashboard arrived here (ms since the epoch). */
  const receivedAt = ref<number | null>(null)
  const focus = ref<FocusRequest | null>(null)

  // An event newer than a fetch wins over the fetch's (older) answer.
  let version = 0
  let resyncing = false

  function apply(next: Dashboard) {
    version += 1
    const started = performance.now()
    dashboard.value = next
    receivedAt.value = Date.now()
    loadError.value = null
    status.value = 'ready'
    // Registered after the change, so it runs after Vue's render of it.
    void nextTick(() => {
      pagePerf.updates += 1
      pagePerf.renderMs += performance.now() - started
    })
  }

  function applyChange(delta: DashboardDelta) {
    const held = dashboard.value
    if (!held || held.seq !== delta.baseSeq || held.day !== delta.day) {
      // Missed one (or the page opened between two): the feed's last picture is the one to hold.
      if (!resyncing) {
        resyncing = true
        void refresh().finally(() => (resyncing = false))
      }
      return
    }
    apply(applyDelta(held, delta))
  }

  /** Reads the dashboard now. Never throws: a failure is kept in `loadError`. */
  async function refresh(): Promise<void> {
    const asked = version
    if (status.value !== 'ready') status.value = 'loading'
    try {
      const d = await api.getDashboard()
      const held = dashboard.value
      // A newer picture than the one held is taken even if events came meanwhile.
      if (version === asked || (held !== null && d.seq > held.seq)) apply(d)
    } catch (e) {
      loadError.value = api.toCommandError(e)
      if (status.value !== 'ready') status.value = 'error'
    }
  }

  let focusSeq = 0
  function requestFocus(subject: AlertSubject, subjectId: string) {
    focusSeq += 1
    focus.value = { subject, subjectId, seq: focusSeq }
  }

  let listening = false

  /** Subscribes once to `dashboard-focus` (App.vue, at start): a notification can be clicked on any page. */
  async function startListening(onFocus: () => void): Promise<void> {
    if (listening || !inShell()) return
    listening = true
    try {
      await listen<{ subject?: AlertSubject; subjectId?: string }>('dashboard-focus', (e) => {
        const p = e.payload
        if (p?.subject && p.subjectId) {
          requestFocus(p.subject, p.subjectId)
          onFocus()
        }
      })
    } catch {
      listening = false
    }
  }

  // The feed's events are followed only while the page is on screen; the last picture stays for the
  // next visit, which reads the current one at once.
  let unlisten: UnlistenFn[] = []
  let attached = 0

  /** The page is on screen: follow `dashboard` and read the dashboard now. */
  async function attach(): Promise<void> {
    attached += 1
    if (attached === 1 && inShell() && unlisten.length === 0) {
      try {
        const offs = await Promise.all([
          listen<Dashboard>('dashboard', (e) => {
            if (e.payload) apply(e.payload)
          }),
          listen<DashboardDelta>('dashboard-delta', (e) => {
            if (e.payload) applyChange(e.payload)
          }),
        ])
        if (attached > 0 && unlisten.length === 0) unlisten = offs
        else offs.forEach((off) => off())
      } catch {
        // Without events the page still shows what it reads.
      }
    }
    await refresh()
  }

  /** The page left the screen. */
  function detach(): void {
    attached = Math.max(0, attached - 1)
    if (attached === 0 && unlisten.length > 0) {
      unlisten.forEach((off) => off())
      unlisten = []
    }
  }

  return { dashboard, status, loadError, receivedAt, focus, refresh, attach, detach, startListening, requestFocus }
})
