// @vitest-environment happy-dom
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { nextTick } from 'vue'
import { createPinia, setActivePinia } from 'pinia'

vi.mock('@tauri-apps/api/core', () => ({ invoke: vi.fn() }))
vi.mock('element-plus', () => ({ ElMessage: vi.fn() }))
import { invoke } from '@tauri-apps/api/core'
import { ElMessage } from 'element-plus'
import { i18n } from '../../src/i18n'
import { createBoard, dropTargetAt, type Board } from '../../src/components/catalog/board'
import { useCatalogStore } from '../../src/stores/catalog'
import { useWindowsStore } from '../../src/stores/windows'
import { answer, hallWindow, matter, unmountAfterEach, withSetup, refuses } from './helpers'

const invokeMock = vi.mocked(invoke)
const messages = () => vi.mocked(ElMessage).mock.calls.map(([o]) => o as { type: string; message: string })

const MATTERS = [
  matter('m1', { name: 'Passport', catalogCode: 'P-001', departmentId: 'd1' }),
  matter('m2', { name: 'Tax refund', catalogCode: 'T-002', departmentId: 'd2' }),
  matter('m3', { name: 'Birth record', catalogCode: 'B-003', departmentId: 'd1' }),
  matter('m4', { name: 'Old permit', catalogCode: 'O-004', departmentId: 'd2', state: 'retired' }),
  matter('m5', { name: 'Pass renewal', catalogCode: 'P-005', departmentId: 'd1' }),
]

/** The board as CatalogView makes it, with the catalog and one window loaded. */
async function mountBoard(): Promise<Board> {
  const pinia = createPinia()
  setActivePinia(pinia)
  i18n.global.locale.value = 'en-US'
  const board = withSetup(createBoard, [pinia, i18n])
  const catalog = useCatalogStore()
  catalog.matters = MATTERS
  catalog.coverage = { unboundMatterIds: ['m2'], inactiveOnlyMatterIds: ['m3'] } as never
  useWindowsStore().items = [hallWindow('w1', 0)]
  await nextTick()
  return board
}

beforeEach(() => {
  invokeMock.mockReset()
  vi.mocked(ElMessage).mockReset()
})
unmountAfterEach()

describe('board filters', () => {
  it('matches code or name, case-insensitively, within a department, and the uncovered ones', async () => {
    const board = await mountBoard()
    board.setSearchNow('  PASS ')
    expect(board.filtered.map((m) => m.id)).toEqual(['m1', 'm5'])
    board.setSearchNow('t-00')
    expect(board.filtered.map((m) => m.id)).toEqual(['m2'])
    board.setSearchNow('')
    board.departmentId = 'd1'
    board.uncoveredOnly = true
    // m3 is bound only to closed windows; m2 is uncovered but in another department.
    expect(board.filtered.map((m) => m.id)).toEqual(['m3'])
    expect(board.filtering).toBe(true)
    board.clearFilters()
    expect(board.filtered).toHaveLength(5)
    expect(board.filtering).toBe(false)
  })

  it('applies a typed search a moment after the last keystroke', async () => {
    vi.useFakeTimers()
    try {
      const board = await mountBoard()
      board.search = 'birth'
      await nextTick()
      expect(board.filtered).toHaveLength(5)
      vi.advanceTimersByTime(200)
      expect(board.filtered.map((m) => m.id)).toEqual(['m3'])
    } finally {
      vi.useRealTimers()
    }
  })
})

describe('board selection', () => {
  it('selects a Shift range from the anchor, and a Ctrl range on top of what was selected', async () => {
    const board = await mountBoard()
    board.selectOnly('m2')
    board.selectRange('m4')
    expect([...board.selected]).toEqual(['m2', 'm3', 'm4'])
    // The range can shrink back towards the anchor.
    board.selectRange('m3')
    expect([...board.selected]).toEqual(['m2', 'm3'])
    board.toggle('m5')
    board.selectRange('m5', true)
    expect([...board.selected].sort()).toEqual(['m2', 'm3', 'm5'])
  })

  it('counts selected matters the filter hides, and drags the whole selection from a selected row', async () => {
    const board = await mountBoard()
    board.selectOnly('m1')
    board.toggle('m2')
    board.departmentId = 'd1'
    expect(board.hiddenSelectedCount).toBe(1)
    expect(board.rowPayload(MATTERS[0]!)).toEqual({ kind: 'matters', ids: ['m1', 'm2'] })
    expect(board.rowPayload(MATTERS[2]!)).toEqual({ kind: 'matters', ids: ['m3'] })
  })

  it('moves the cursor within the list, and extends the selection with Shift', async () => {
    const board = await mountBoard()
    expect(board.moveActive(1, false)).toBe('m1')
    expect(board.moveActive(-1, false)).toBe('m1')
    expect(board.moveActive('last', false)).toBe('m5')
    expect(board.moveActive(-1, true)).toBe('m4')
    expect(board.moveActive(-1, true)).toBe('m3')
    expect([...board.selected].sort()).toEqual(['m3', 'm4', 'm5'])
    expect(board.moveActive(99, false)).toBe('m5')
  })
})

describe('board writes', () => {
  it('binds only the active matters and says how many', async () => {
    const board = await mountBoard()
    answer(invokeMock, {
      bind_matters: (args) => {
        const input = args.input as { matterIds: string[] }
        return { changed: input.matterIds.length, unchanged: 0, bindings: [] }
      },
      get_coverage: () => ({ unboundMatterIds: [], inactiveOnlyMatterIds: [] }),
    })
    expect(await board.bindTo('w1', ['m1', 'm4'], 'primary')).toBe(true)
    const bind = invokeMock.mock.calls.find(([c]) => c === 'bind_matters')
    expect(bind?.[1]).toEqual({ input: { windowId: 'w1', matterIds: ['m1'], priority: 'primary' } })
    expect(messages().at(-1)).toMatchObject({ type: 'success', message: 'Bound 1 matter to A01' })
    expect(board.lastWindowId).toBe('w1')
    expect(board.busy).toBe(false)
  })

  it('warns instead of asking the shell when nothing, or only retired matters, would be bound', async () => {
    const board = await mountBoard()
    expect(await board.bindTo('w1', [], 'primary')).toBe(false)
    expect(await board.bindTo('w1', ['m4'], 'primary')).toBe(false)
    expect(invokeMock).not.toHaveBeenCalled()
    expect(messages().map((m) => m.type)).toEqual(['warning', 'warning'])
  })

  it('shows a refusal and clears busy', async () => {
    const board = await mountBoard()
    answer(invokeMock, {
      unbind_matters: refuses('binding.missing', 'Not bound'),
    })
    expect(await board.removeBinding('w1', 'm1')).toBe(false)
    expect(messages().at(-1)).toMatchObject({ type: 'error', message: 'Not bound' })
    expect(board.busy).toBe(false)
  })

  it('opens the bind dialog with the cursor row when nothing is selected', async () => {
    const board = await mountBoard()
    board.openBind()
    expect(board.bindOpen).toBe(false)
    board.moveActive(1, false)
    board.openBind()
    expect(board.bindOpen).toBe(true)
    expect([...board.selected]).toEqual(['m1'])
  })
})

describe('dropTargetAt', () => {
  const at = (html: string) => {
    document.body.innerHTML = html
    const el = document.querySelector('#hit')
    document.elementFromPoint = () => el
    return dropTargetAt(1, 1)
  }

  it('reads the zone, card and remove targets from the data attributes', () => {
    expect(at('<div data-drop="zone" data-window-id="w1" data-priority="overflow"><span id="hit"></span></div>')).toEqual({
      kind: 'zone',
      windowId: 'w1',
      priority: 'overflow',
    })
    expect(at('<div data-drop="card" data-window-id="w2"><b id="hit"></b></div>')).toEqual({
      kind: 'zone',
      windowId: 'w2',
      priority: 'primary',
    })
    expect(at('<div data-drop="remove" data-drop-where="trash" id="hit"></div>')).toEqual({ kind: 'remove', where: 'trash' })
  })

  it('is null outside the targets or without a window', () => {
    expect(at('<div id="hit"></div>')).toBeNull()
    expect(at('<div data-drop="zone" id="hit"></div>')).toBeNull()
  })
})
