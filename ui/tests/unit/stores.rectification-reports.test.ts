import { describe, expect, it, vi } from 'vitest'

vi.mock('@tauri-apps/api/core', () => ({ invoke: vi.fn() }))
import { invoke } from '@tauri-apps/api/core'
import { useRectificationStore } from '../../src/stores/rectification'
import { hallToday, periodInput, useReportsStore } from '../../src/stores/reports'
import { answer, caseSummary, deferred, freshStoresEach, refuses } from './helpers'

const invokeMock = vi.mocked(invoke)
freshStoresEach(invokeMock)

describe('rectification store', () => {
  it('reads both appeal states for "appealed", newest first', async () => {
    answer(invokeMock, {
      list_poor_ratings: (args) => {
        const f = args.filter as { state?: string }
        if (f.state === 'appealed') return [caseSummary('a1', '2026-03-01T08:00:00Z')]
        if (f.state === 'appeal_upheld') return [caseSummary('u1', '2026-03-02T08:00:00Z'), caseSummary('u0', '2026-02-01T08:00:00Z')]
        return []
      },
    })
    const store = useRectificationStore()
    store.setFilter('appealed')
    expect(store.status).toBe('loading')
    await vi.waitFor(() => expect(store.status).toBe('ready'))
    expect(store.items.map((c) => c.id)).toEqual(['u1', 'a1', 'u0'])
  })

  it('drops the answer of a filter left before it came', async () => {
    const slow = deferred<unknown>()
    answer(invokeMock, {
      list_poor_ratings: (args) => ((args.filter as { unread?: boolean }).unread ? slow.promise : [caseSummary('x', 't')]),
    })
    const store = useRectificationStore()
    store.setFilter('unread')
    store.setFilter('all')
    await vi.waitFor(() => expect(store.status).toBe('ready'))
    slow.resolve([caseSummary('late', 't')])
    await Promise.resolve()
    expect(store.items.map((c) => c.id)).toEqual(['x'])
  })

  it('marks an unread case read on opening: the counter, the pane and the row follow', async () => {
    answer(invokeMock, {
      list_poor_ratings: () => [caseSummary('c1', 't', { unread: true }), caseSummary('c2', 't', { unread: true })],
      get_case: (args) => ({ summary: caseSummary(args.caseId as string, 't', { unread: true }), actions: [] }),
      mark_case_read: () => 1,
    })
    const store = useRectificationStore()
    await store.load()
    await store.open('c1')
    expect(store.unread).toBe(1)
    expect(store.detail?.summary.unread).toBe(false)
    expect(store.items.find((c) => c.id === 'c1')?.unread).toBe(false)
    expect(store.items.find((c) => c.id === 'c2')?.unread).toBe(true)
    expect(store.selected?.id).toBe('c1')
  })

  it('keeps the pane on the case opened last when an earlier one answers late', async () => {
    const slow = deferred<unknown>()
    answer(invokeMock, {
      get_case: (args) =>
        args.caseId === 'c1' ? slow.promise : { summary: caseSummary('c2', 't'), actions: [] },
    })
    const store = useRectificationStore()
    const first = store.open('c1')
    await store.open('c2')
    slow.resolve({ summary: caseSummary('c1', 't'), actions: [] })
    await first
    expect(store.detail?.summary.id).toBe('c2')
    expect(store.detailStatus).toBe('ready')
  })

  it('refuses a step with no case open', async () => {
    const store = useRectificationStore()
    await expect(store.act('verify' as never, null, [])).rejects.toMatchObject({ code: 'internal' })
    expect(invokeMock).not.toHaveBeenCalled()
  })

  it('keeps the unread counter when it cannot be read', async () => {
    answer(invokeMock, { unread_case_count: () => 4 })
    const store = useRectificationStore()
    await store.refreshUnread()
    answer(invokeMock, {
      unread_case_count: refuses('storage.busy'),
    })
    await store.refreshUnread()
    expect(store.unread).toBe(4)
  })
})

describe('reports', () => {
  it('takes the hall day at UTC+8', () => {
    expect(hallToday(new Date('2026-03-01T15:59:59Z'))).toBe('2026-03-01')
    expect(hallToday(new Date('2026-03-01T16:00:00Z'))).toBe('2026-03-02')
  })

  it('turns the picker into the command period', () => {
    const pick = { date: '2026-08-17', start: '2026-08-01', end: '2026-08-17' }
    expect(periodInput({ kind: 'day', ...pick })).toEqual({ kind: 'day', date: '2026-08-17' })
    expect(periodInput({ kind: 'month', ...pick })).toEqual({ kind: 'month', year: 2026, month: 8 })
    expect(periodInput({ kind: 'quarter', ...pick })).toEqual({ kind: 'quarter', year: 2026, quarter: 3 })
    expect(periodInput({ kind: 'quarter', ...pick, date: '2026-03-31' })).toMatchObject({ quarter: 1 })
    expect(periodInput({ kind: 'quarter', ...pick, date: '2026-10-01' })).toMatchObject({ quarter: 4 })
    expect(periodInput({ kind: 'year', ...pick })).toEqual({ kind: 'year', year: 2026 })
    expect(periodInput({ kind: 'custom', ...pick })).toEqual({ kind: 'custom', start: '2026-08-01', end: '2026-08-17' })
  })

  it('shows the table of the newest request only', async () => {
    const slow = deferred<unknown>()
    answer(invokeMock, {
      get_report: (args) => (args.dimension === 'hall' ? slow.promise : { rows: [{ label: 'A01' }] }),
    })
    const store = useReportsStore()
    const first = store.load()
    store.dimension = 'window'
    await store.load()
    slow.resolve({ rows: [] })
    await first
    expect(store.rows).toEqual([{ label: 'A01' }])
    expect(store.empty).toBe(false)
  })

  it('is empty when the table has no rows', async () => {
    answer(invokeMock, { get_report: () => ({ rows: [] }) })
    const store = useReportsStore()
    await store.load()
    expect(store.empty).toBe(true)
  })
})
