import { describe, expect, it, vi } from 'vitest'

vi.mock('@tauri-apps/api/core', () => ({ invoke: vi.fn() }))
import { invoke } from '@tauri-apps/api/core'
import type { Dashboard, DashboardDelta, WindowTile } from '../../src/api'
import { applyDelta, mergeList, useDashboardStore } from '../../src/stores/dashboard'
import { useCatalogStore } from '../../src/stores/catalog'
import { answer, callsOf, deferred, freshStoresEach, matter, refuses } from './helpers'

const invokeMock = vi.mocked(invoke)
const calls = (command: string) => callsOf(invokeMock, command)
freshStoresEach(invokeMock)

interface Item {
  id: string
  v: number
}
const key = (x: Item) => x.id

describe('mergeList', () => {
  const list: Item[] = [
    { id: 'a', v: 1 },
    { id: 'b', v: 1 },
    { id: 'c', v: 1 },
  ]

  it('is the same list when nothing changed', () => {
    expect(mergeList(list, [], null, key)).toBe(list)
  })

  it('replaces only the changed items, keeping the others as the same objects', () => {
    const out = mergeList(list, [{ id: 'b', v: 2 }], null, key)
    expect(out.map((x) => x.v)).toEqual([1, 2, 1])
    expect(out[0]).toBe(list[0])
    expect(out[2]).toBe(list[2])
  })

  it('follows a new order, adding new items and dropping the ones left out', () => {
    const out = mergeList(list, [{ id: 'd', v: 9 }], ['c', 'd', 'a', 'zz'], key)
    expect(out.map((x) => x.id)).toEqual(['c', 'd', 'a'])
    expect(out[0]).toBe(list[2])
  })
})

const tile = (windowId: string, waiting: number) => ({ windowId, waiting }) as WindowTile
const picture = (seq: number, extra: Partial<Dashboard> = {}): Dashboard =>
  ({
    day: '2026-03-02',
    at: 't0',
    lastEventAt: null,
    seq,
    tiles: [tile('w1', 0), tile('w2', 0)],
    matters: [],
    totals: { waiting: 0 },
    hours: [],
    waitingSeries: [],
    alerts: [],
    suggestions: [],
    ...extra,
  }) as unknown as Dashboard

describe('applyDelta', () => {
  it('takes what the delta carries and keeps the other parts as they were', () => {
    const base = picture(4)
    const delta = {
      seq: 5,
      baseSeq: 4,
      day: base.day,
      at: 't1',
      lastEventAt: 't1',
      tiles: [tile('w2', 3)],
      tileOrder: null,
      matters: [],
      matterOrder: null,
      totals: { waiting: 3 },
      hours: null,
      waitingSeries: null,
      alerts: null,
      suggestions: null,
    } as unknown as DashboardDelta
    const next = applyDelta(base, delta)
    expect(next.seq).toBe(5)
    expect(next.at).toBe('t1')
    expect(next.tiles.map((t) => t.waiting)).toEqual([0, 3])
    expect(next.tiles[0]).toBe(base.tiles[0])
    expect(next.totals).toEqual({ waiting: 3 })
    expect(next.hours).toBe(base.hours)
    expect(next.alerts).toBe(base.alerts)
  })
})

describe('dashboard store', () => {
  it('keeps the picture and says why when a refresh fails after one was shown', async () => {
    answer(invokeMock, { get_dashboard: () => picture(1) })
    const store = useDashboardStore()
    await store.refresh()
    expect(store.status).toBe('ready')
    answer(invokeMock, {
      get_dashboard: refuses('storage.busy'),
    })
    await store.refresh()
    expect(store.status).toBe('ready')
    expect(store.dashboard?.seq).toBe(1)
    expect(store.loadError?.code).toBe('storage.busy')
  })

  it('numbers focus requests so the same tile asked twice is shown twice', () => {
    const store = useDashboardStore()
    store.requestFocus('window', 'w1')
    const first = store.focus
    store.requestFocus('window', 'w1')
    expect(store.focus?.seq).toBe((first?.seq ?? 0) + 1)
  })
})

describe('catalog store', () => {
  it('colours each matter as the coverage audit decides', async () => {
    answer(invokeMock, {
      get_coverage: () => ({ unboundMatterIds: ['req', 'opt'], inactiveOnlyMatterIds: ['amb'] }),
    })
    const store = useCatalogStore()
    store.matters = [
      matter('req'),
      matter('opt', { required: false }),
      matter('amb'),
      matter('ok'),
      matter('ret', { state: 'retired' }),
    ]
    await store.refreshCoverage()
    expect(Object.fromEntries(store.matterCoverage)).toEqual({
      req: 'red',
      opt: 'ok',
      amb: 'amber',
      ok: 'ok',
      ret: 'retired',
    })
    expect(store.isUncovered(store.matters[1]!)).toBe(true)
    expect(store.isUncovered(store.matters[3]!)).toBe(false)
  })

  it('is ready only when the catalog and the bindings both loaded', async () => {
    answer(invokeMock, {
      get_catalog: () => ({ departments: [], matters: [matter('m1')] }),
      list_bindings: refuses('storage.busy'),
    })
    const store = useCatalogStore()
    await store.load()
    expect(store.status).toBe('error')
    expect(store.loadError?.code).toBe('storage.busy')
    answer(invokeMock, {
      get_catalog: () => ({ departments: [], matters: [matter('m1')] }),
      list_bindings: () => [{ windowId: 'w1', matterId: 'm1', priority: 'primary' }],
    })
    // An error state loads again on the next visit.
    await store.ensureLoaded()
    expect(store.status).toBe('ready')
    expect(store.loadError).toBeNull()
    expect(store.bindingsByWindow.get('w1')).toHaveLength(1)
    expect(store.bindingsByMatter.get('m1')?.[0]?.priority).toBe('primary')
  })

  it('coalesces a burst of coverage refreshes into one more fetch', async () => {
    const first = deferred<unknown>()
    let n = 0
    answer(invokeMock, {
      get_coverage: () => {
        n += 1
        return n === 1 ? first.promise : { unboundMatterIds: [], inactiveOnlyMatterIds: [] }
      },
    })
    const store = useCatalogStore()
    const a = store.refreshCoverage()
    const b = store.refreshCoverage()
    const c = store.refreshCoverage()
    first.resolve({ unboundMatterIds: ['x'], inactiveOnlyMatterIds: [] })
    await Promise.all([a, b, c])
    expect(calls('get_coverage')).toBe(2)
    expect(store.coverage?.unboundMatterIds).toEqual([])
  })
})
