// Tiles nobody can see wait for their changes. A busy hall changes 30–40 of the 200 tiles on
// every update, most of them below the fold; WebKit pays for each changed tile's DOM even when
// `content-visibility` skips its painting (about a quarter of the page's cost per update, by the
// dashboard bench's breakdown). So a tile near the viewport takes every change at once, one
// further away keeps what it shows until it comes near (scrolled to, or focused from an alert)
// or until the next sweep, a few seconds later, brings every tile up to date at once.
import { inject, onBeforeUnmount, onMounted, provide, shallowRef, watch, type InjectionKey, type Ref } from 'vue'
import type { WindowTile } from '../../api'

/** How far outside the viewport a tile still counts as seen (scrolling brings it in). */
const NEAR = '400px 0px'
/** Tiles out of sight are brought up to date at least this often. */
const SWEEP_MS = 3000

interface TileWatcher {
  observe(el: Element, windowId: string): void
  unobserve(el: Element): void
}

const KEY: InjectionKey<TileWatcher> = Symbol('dashboard-tile-watcher')

/**
 * The tiles to render: `live`'s objects for tiles near the viewport, the ones already shown for
 * the others until the sweep. Provides the watcher each `WindowTile` registers its element with.
 */
export function useOffscreenTiles(live: Ref<WindowTile[]>): Ref<WindowTile[]> {
  const shown = shallowRef<WindowTile[]>([])
  const near = new Set<string>()
  let sweep: ReturnType<typeof setTimeout> | null = null

  function show(all: boolean) {
    const next = live.value
    const before = new Map(shown.value.map((t) => [t.windowId, t]))
    let held = false
    const out = next.map((t) => {
      const old = before.get(t.windowId)
      if (all || old === undefined || old === t || near.has(t.windowId)) return t
      held = true
      return old
    })
    const same = out.length === shown.value.length && out.every((t, i) => t === shown.value[i])
    if (!same) shown.value = out
    if (held && sweep === null) {
      sweep = setTimeout(() => {
        sweep = null
        show(true)
      }, SWEEP_MS)
    }
  }

  // A new or removed window shows every tile as it is: the grid changes anyway.
  watch(live, (next, prev) => show(prev === undefined || next.length !== prev.length), { immediate: true })

  const io =
    typeof IntersectionObserver === 'undefined'
      ? null
      : new IntersectionObserver(
          (entries) => {
            let arrived = false
            for (const e of entries) {
              const id = (e.target as HTMLElement).dataset.windowId
              if (!id) continue
              if (e.isIntersecting) {
                arrived ||= !near.has(id)
                near.add(id)
              } else {
                near.delete(id)
              }
            }
            if (arrived) show(false)
          },
          { rootMargin: NEAR },
        )

  provide(KEY, {
    observe: (el, id) => {
      // Without an observer (tests outside a browser) every tile counts as seen.
      if (io) io.observe(el)
      else near.add(id)
    },
    unobserve: (el) => io?.unobserve(el),
  })

  onBeforeUnmount(() => {
    io?.disconnect()
    if (sweep !== null) clearTimeout(sweep)
  })
  return shown
}

/** Registers a tile's element with the dashboard's watcher (a no-op outside the dashboard). */
export function useTileVisibility(el: Ref<HTMLElement | null>, windowId: () => string): void {
  const watcher = inject(KEY, null)
  if (!watcher) return
  onMounted(() => {
    if (el.value) watcher.observe(el.value, windowId())
  })
  onBeforeUnmount(() => {
    if (el.value) watcher.unobserve(el.value)
  })
}
