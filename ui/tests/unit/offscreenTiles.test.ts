// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createApp, defineComponent, h, nextTick, ref, shallowRef, type Ref } from 'vue'
import type { WindowTile } from '../../src/api'
import { useOffscreenTiles, useTileVisibility } from '../../src/components/dashboard/offscreenTiles'

/** A stand-in IntersectionObserver: the test says which tiles come into or leave the viewport. */
class FakeObserver {
  static last: FakeObserver | null = null
  els = new Set<Element>()
  cb: (entries: { target: Element; isIntersecting: boolean }[]) => void
  constructor(cb: (entries: { target: Element; isIntersecting: boolean }[]) => void) {
    this.cb = cb
    FakeObserver.last = this
  }
  observe(el: Element) {
    this.els.add(el)
  }
  unobserve(el: Element) {
    this.els.delete(el)
  }
  disconnect() {
    this.els.clear()
  }
  see(ids: string[], isIntersecting = true) {
    const entries = [...this.els]
      .filter((el) => ids.includes((el as HTMLElement).dataset.windowId ?? ''))
      .map((target) => ({ target, isIntersecting }))
    this.cb(entries)
  }
}

const tile = (windowId: string, waiting: number): WindowTile => ({ windowId, waiting }) as WindowTile

let app: ReturnType<typeof createApp> | null = null

/** A dashboard holding `live` with one registered element per tile; returns what it shows. */
function mountTiles(live: Ref<WindowTile[]>): Ref<WindowTile[]> {
  let shown!: Ref<WindowTile[]>
  const Tile = defineComponent({
    props: { id: { type: String, required: true } },
    setup(props) {
      const el = ref<HTMLElement | null>(null)
      useTileVisibility(el, () => props.id)
      return () => h('div', { ref: el, 'data-window-id': props.id })
    },
  })
  app = createApp(
    defineComponent({
      setup() {
        shown = useOffscreenTiles(live)
        return () => h('div', shown.value.map((t) => h(Tile, { key: t.windowId, id: t.windowId })))
      },
    }),
  )
  app.mount(document.createElement('div'))
  return shown
}

beforeEach(() => {
  vi.useFakeTimers()
  vi.stubGlobal('IntersectionObserver', FakeObserver)
})
afterEach(() => {
  app?.unmount()
  app = null
  vi.unstubAllGlobals()
  vi.useRealTimers()
})

describe('useOffscreenTiles', () => {
  it('updates tiles near the viewport at once and holds the others until the sweep', async () => {
    const live = shallowRef([tile('a', 0), tile('b', 0)])
    const shown = mountTiles(live)
    await nextTick()
    FakeObserver.last!.see(['a'])
    live.value = [tile('a', 1), tile('b', 1)]
    await nextTick()
    expect(shown.value.map((t) => t.waiting)).toEqual([1, 0])
    vi.advanceTimersByTime(3000)
    expect(shown.value.map((t) => t.waiting)).toEqual([1, 1])
  })

  it('brings a held tile up to date when it comes into view', async () => {
    const live = shallowRef([tile('a', 0), tile('b', 0)])
    const shown = mountTiles(live)
    await nextTick()
    live.value = [tile('a', 0), tile('b', 5)]
    await nextTick()
    expect(shown.value[1]?.waiting).toBe(0)
    FakeObserver.last!.see(['b'])
    expect(shown.value[1]?.waiting).toBe(5)
  })

  it('shows every tile as it is when a window is added or removed', async () => {
    const live = shallowRef([tile('a', 0), tile('b', 0)])
    const shown = mountTiles(live)
    await nextTick()
    live.value = [tile('a', 2), tile('b', 2), tile('c', 2)]
    await nextTick()
    expect(shown.value.map((t) => t.waiting)).toEqual([2, 2, 2])
  })

  it('holds a tile again once it leaves the viewport', async () => {
    const live = shallowRef([tile('a', 0)])
    const shown = mountTiles(live)
    await nextTick()
    const io = FakeObserver.last!
    io.see(['a'])
    io.see(['a'], false)
    live.value = [tile('a', 9)]
    await nextTick()
    expect(shown.value[0]?.waiting).toBe(0)
  })

  it('counts every tile as seen without an IntersectionObserver', async () => {
    vi.stubGlobal('IntersectionObserver', undefined)
    const live = shallowRef([tile('a', 0)])
    const shown = mountTiles(live)
    await nextTick()
    live.value = [tile('a', 3)]
    await nextTick()
    expect(shown.value[0]?.waiting).toBe(3)
  })
})
