import { describe, expect, it, vi } from 'vitest'

vi.mock('@tauri-apps/api/core', () => ({ invoke: vi.fn() }))
import { invoke } from '@tauri-apps/api/core'
import { useWindowsStore } from '../../src/stores/windows'
import { useStaffStore } from '../../src/stores/staff'
import { answer, callsOf, deferred, flush, freshStoresEach, hallWindow, refusal, staff, refuses } from './helpers'

const invokeMock = vi.mocked(invoke)
const calls = (command: string) => callsOf(invokeMock, command)
freshStoresEach(invokeMock)

describe('windows store', () => {
  it('shows the first load as loading, then the windows in floor order', async () => {
    const held = deferred<unknown>()
    answer(invokeMock, { list_windows: () => held.promise })
    const store = useWindowsStore()
    const loading = store.load()
    expect(store.status).toBe('loading')
    // A second load while one is in flight does not ask again.
    void store.load()
    held.resolve([hallWindow('b', 1), hallWindow('a', 0, { state: 'closed' })])
    await loading
    expect(calls('list_windows')).toBe(1)
    expect(store.status).toBe('ready')
    expect(store.items.map((w) => w.id)).toEqual(['a', 'b'])
    expect(store.openCount).toBe(1)
  })

  it('keeps the rows on screen when a reload fails, with the error kept', async () => {
    answer(invokeMock, { list_windows: () => [hallWindow('a', 0)] })
    const store = useWindowsStore()
    await store.load()
    answer(invokeMock, {
      list_windows: refuses('storage.busy', 'busy'),
    })
    await store.load()
    expect(store.status).toBe('ready')
    expect(store.items).toHaveLength(1)
    expect(store.loadError).toEqual(refusal('storage.busy', 'busy'))
  })

  it('is in error when the first load fails, and never throws', async () => {
    answer(invokeMock, {
      list_windows: () => {
        throw new Error('no IPC')
      },
    })
    const store = useWindowsStore()
    await expect(store.load()).resolves.toBeUndefined()
    expect(store.status).toBe('error')
    expect(store.loadError).toEqual({ code: 'internal', message: 'no IPC', field: null })
  })

  it('loads once through ensureLoaded', async () => {
    answer(invokeMock, { list_windows: () => [] })
    const store = useWindowsStore()
    await store.ensureLoaded()
    await store.ensureLoaded()
    expect(calls('list_windows')).toBe(1)
  })

  it('puts a created window in floor order and an updated one in place', async () => {
    answer(invokeMock, {
      list_windows: () => [hallWindow('a', 0), hallWindow('c', 2)],
      create_window: () => hallWindow('b', 1),
      update_window: (args) => hallWindow(args.id as string, 2, { name: 'Renamed' }),
      delete_window: () => null,
    })
    const store = useWindowsStore()
    await store.load()
    await store.create({ number: 'A02', name: 'b', zone: '', kind: 'general', state: 'open' })
    expect(store.items.map((w) => w.id)).toEqual(['a', 'b', 'c'])
    await store.update('c', { number: 'A03', name: 'Renamed', zone: '', kind: 'general', state: 'open' })
    expect(store.items[2]?.name).toBe('Renamed')
    await store.remove('a')
    expect(store.items.map((w) => w.id)).toEqual(['b', 'c'])
  })

  it('reloads the true order when a reorder is refused, and rethrows the refusal', async () => {
    answer(invokeMock, {
      list_windows: () => [hallWindow('a', 0), hallWindow('b', 1)],
      reorder_windows: refuses('window.order_stale'),
    })
    const store = useWindowsStore()
    await store.load()
    store.items = [store.items[1]!, store.items[0]!]
    await expect(store.reorder(['b', 'a'])).rejects.toMatchObject({ code: 'window.order_stale' })
    expect(store.items.map((w) => w.id)).toEqual(['a', 'b'])
    expect(calls('list_windows')).toBe(2)
  })
})

describe('staff store', () => {
  it('sorts people by employee number, numerically', async () => {
    answer(invokeMock, {
      list_staff: () => [staff('s10', '10'), staff('s9', '9'), staff('s100', '100')],
      get_catalog: () => ({ departments: [{ id: 'd1', name: 'Tax' }], matters: [] }),
      get_roster: () => ({ day: '2026-03-02', seats: [{ windowId: 'w1', staffId: 's9' }] }),
    })
    const store = useStaffStore()
    await store.load()
    expect(store.staff.map((s) => s.employeeNo)).toEqual(['9', '10', '100'])
    expect(store.seatOfStaff.get('s9')).toBe('w1')
    expect(store.staffAtWindow.get('w1')).toBe('s9')
    expect(store.departmentsById.get('d1')?.name).toBe('Tax')
  })

  it('keeps the staff list when only the roster fails', async () => {
    answer(invokeMock, {
      list_staff: () => [staff('s1', '1')],
      get_catalog: () => ({ departments: [], matters: [] }),
      get_roster: refuses('roster.unavailable'),
    })
    const store = useStaffStore()
    await store.load()
    expect(store.status).toBe('ready')
    expect(store.rosterStatus).toBe('error')
    expect(store.rosterError?.code).toBe('roster.unavailable')
  })

  it('runs a reload asked for during a load once, after it', async () => {
    const first = deferred<unknown>()
    let n = 0
    answer(invokeMock, {
      list_staff: () => {
        n += 1
        return n === 1 ? first.promise : [staff('s1', '1'), staff('s2', '2')]
      },
    })
    const store = useStaffStore()
    const a = store.loadStaff()
    void store.loadStaff()
    void store.loadStaff()
    first.resolve([staff('s1', '1')])
    await a
    await flush()
    await flush()
    expect(n).toBe(2)
    expect(store.staff).toHaveLength(2)
  })

  it('clears the seat of someone deleted without waiting for the event', async () => {
    answer(invokeMock, {
      list_staff: () => [staff('s1', '1'), staff('s2', '2')],
      get_catalog: () => ({ departments: [], matters: [] }),
      get_roster: () => ({ day: 'd', seats: [{ windowId: 'w1', staffId: 's1' }, { windowId: 'w2', staffId: 's2' }] }),
      delete_staff: () => null,
    })
    const store = useStaffStore()
    await store.load()
    await store.remove('s1')
    expect(store.staff.map((s) => s.id)).toEqual(['s2'])
    expect(store.roster?.seats).toEqual([{ windowId: 'w2', staffId: 's2' }])
  })
})
