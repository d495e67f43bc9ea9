import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import { listen, type UnlistenFn } from '@tauri-apps/api/event'
import * as api from '../api'
import type { AlertSubject, CommandError, Dashboard } from '../api'

type Status = 'idle' | 'loading' | 'ready' | 'error'

const inShell = () => typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window

/**
 * How a part of the dashboard looks on screen: durations in whole minutes (the page shows minutes),
 * so seconds ticking by do not count as a change.
 */
function seen(x: unknown): string {
  return JSON.stringify(x, (k, v) => (typeof v === 'number' && k.endsWith('Secs') ? Math.floor(v / 60) : v))
}

/** `next`'s items, each replaced by the item of `prev` with the same key that looks the same (`prev` itself when all do). */
function shareList<T>(prev: T[], next: T[], key: (x: T) => string): T[] {
  const old = new Map(prev.map((x) => [key(x), x]))
  let all = prev.length === next.length
  const out = next.map((x, i) => {
    const p = old.get(key(x))
    if (p !== undefined && seen(p) === seen(x)) {
      if (prev[i] !== p) all = false
      return p
    }
    all = false
    return x
  })
  return all ? prev : out
}

/**
 * The new dashboard with every part that looks unchanged taken from the previous one (the same
 * objects), so Vue re-renders only the tiles, rows and charts that changed: in a busy hall of 200
 * windows a few tiles move per update, not all of them. The previous dashboard itself when
 * nothing visible changed.
 */
function shareUnchanged(prev: Dashboard | null, next: Dashboard): Dashboard {
  if (!prev || prev.day !== next.day) return next
  const same = <T>(a: T, b: T): T => (seen(a) === seen(b) ? a : b)
  const d: Dashboard = {
    ...next,
    tiles: shareList(prev.tiles, next.tiles, (t) => t.windowId),
    matters: shareList(prev.matters, next.matters, (m) => m.matterId),
    totals: same(prev.totals, next.totals),
    hours: same(prev.hours, next.hours),
    waitingSeries: same(prev.waitingSeries, next.waitingSeries),
    alerts: same(prev.alerts, next.alerts),
    suggestions: same(prev.suggestions, next.suggestions),
  }
  const unchanged =
    d.lastEventAt === prev.lastEventAt &&
    d.tiles === prev.tiles &&
    d.matters === prev.matters &&
    d.totals === prev.totals &&
    d.hours === prev.hours &&
    d.waitingSeries === prev.waitingSeries &&
    d.alerts === prev.alerts &&
    d.suggestions === prev.suggestions
  return unchanged ? prev : d
}

/** What a click on an alarm notification asks for: show this window's tile (or this matter's row). */
export interface FocusRequest {
  subject: AlertSubject
  subjectId: string
  /** Increases with every request, so the same tile asked for twice is shown twice. */
  seq: number
}

/**
 * The live queue monitor (总览): read once with `get_dashboard`, then kept live by the shell's
 * `dashboard` events (sent only when something changed, at most four times a second). A click on a
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

  function apply(next: Dashboard) {
    version += 1
    const d = shareUnchanged(dashboard.value, next)
    if (d === dashboard.value) {
      receivedAt.value = Date.now()
      return
    }
    dashboard.value = d
    receivedAt.value = Date.now()
    loadError.value = null
    status.value = 'ready'
  }

  /** Reads the dashboard now. Never throws: a failure is kept in `loadError`. */
  async function refresh(): Promise<void> {
    const asked = version
    if (status.value !== 'ready') status.value = 'loading'
    try {
      const d = await api.getDashboard()
      if (version === asked) apply(d)
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

  // The `dashboard` event (up to four a second, ~100 KB for 200 windows) is followed only while the
  // page is on screen; the last picture stays for the next visit, which reads the current one at once.
  let unlisten: UnlistenFn | null = null
  let attached = 0

  /** The page is on screen: follow `dashboard` and read the dashboard now. */
  async function attach(): Promise<void> {
    attached += 1
    if (attached === 1 && inShell()) {
      try {
        const off = await listen<Dashboard>('dashboard', (e) => {
          if (e.payload) apply(e.payload)
        })
        if (attached > 0 && !unlisten) unlisten = off
        else off()
      } catch {
        // Without events the page still shows what it reads.
      }
    }
    await refresh()
  }

  /** The page left the screen. */
  function detach(): void {
    attached = Math.max(0, attached - 1)
    if (attached === 0 && unlisten) {
      unlisten()
      unlisten = null
    }
  }

  return { dashboard, status, loadError, receivedAt, focus, refresh, attach, detach, startListening, requestFocus }
})
