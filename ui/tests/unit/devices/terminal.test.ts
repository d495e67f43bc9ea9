// 窗口叫号's pure logic, and the Must-show "terminal keyboard keys": every function key runs its
// action when the state allows it, nothing while held, with modifiers or in a dialog.
import { describe, expect, it } from 'vitest'
import type { TerminalView, Ticket, TransferTargets } from '../../../src/api/types.gen'
import {
  ACTIONS,
  clockOffset,
  enabledActions,
  endsSession,
  errorKey,
  filterTargets,
  formatDuration,
  KEY_OF,
  keyAction,
  recallInfo,
  serviceSeconds,
  typeEmployeeNo,
  type Action,
} from '../../../src/devices/terminal/logic'
import { deviceMessages } from '../../../src/devices/messages'

function ticket(over: Partial<Ticket> = {}): Ticket {
  return {
    id: 't1',
    number: 'A012',
    prefix: 'A',
    sequence: 12,
    day: '2026-12-08',
    order: 0,
    issuedMatterId: 'm1',
    matterId: 'm1',
    class: 'normal',
    state: 'called',
    windowId: 'w1',
    targetWindowId: null,
    recallCount: 0,
    transferCount: 0,
    issuedAt: '2026-12-08T01:00:00Z',
    firstCalledAt: '2026-12-08T01:10:00Z',
    calledAt: '2026-12-08T01:10:00Z',
    startedAt: null,
    endedAt: null,
    updatedAt: '2026-12-08T01:10:00Z',
    ...over,
  }
}

function view(over: Partial<TerminalView> = {}): TerminalView {
  return {
    windowId: 'w1',
    windowNumber: '3',
    windowName: '综合窗口',
    windowState: 'open',
    current: null,
    matterNames: { m1: '护照' },
    waiting: 2,
    waitingList: [ticket({ id: 'w-a', state: 'waiting', windowId: null }), ticket({ id: 'w-b', state: 'waiting', windowId: null })],
    parked: [],
    maxRecalls: 2,
    person: null,
    now: '2026-12-08T01:12:00Z',
    ...over,
  }
}

const idle = { busy: false, lastFinished: null }
const sorted = (s: Set<Action>) => [...s].sort()

describe('enabled actions per state', () => {
  it('a free open window with people waiting: call next, pick a ticket, pause', () => {
    expect(sorted(enabledActions(view(), idle))).toEqual(['callNext', 'choose', 'pause'])
  })

  it('a free window with nobody waiting (as last read) still calls next, and may pause', () => {
    expect(sorted(enabledActions(view({ waiting: 0, waitingList: [] }), idle))).toEqual(['callNext', 'pause'])
  })

  it('a called ticket: recall, no-show, start, finish, transfer, park — not call next', () => {
    const on = enabledActions(view({ current: ticket() }), idle)
    expect(sorted(on)).toEqual(['finish', 'noShow', 'park', 'pause', 'recall', 'start', 'transfer'])
  })

  it('a ticket in service: finish, transfer, park, ask for a rating — no recall or no-show', () => {
    const on = enabledActions(view({ current: ticket({ state: 'serving', startedAt: '2026-12-08T01:11:00Z' }) }), idle)
    expect(sorted(on)).toEqual(['askRating', 'finish', 'park', 'pause', 'transfer'])
  })

  it('after a finish 请评价 still asks about the ticket just finished', () => {
    expect(enabledActions(view(), { busy: false, lastFinished: ticket({ state: 'finished' }) }).has('askRating')).toBe(true)
  })

  it('a paused window calls nobody (but may reopen); a closed one cannot be reopened here', () => {
    expect(sorted(enabledActions(view({ windowState: 'paused' }), idle))).toEqual(['pause'])
    expect(sorted(enabledActions(view({ windowState: 'closed' }), idle))).toEqual([])
  })

  it('parked tickets alone make 选号 available', () => {
    const v = view({ waiting: 0, waitingList: [], parked: [ticket({ id: 'p', state: 'parked' })] })
    expect(sorted(enabledActions(v, idle))).toEqual(['callNext', 'choose', 'pause'])
  })

  it('nothing while a request is in flight or before the screen is read', () => {
    expect(enabledActions(view({ current: ticket() }), { busy: true, lastFinished: null }).size).toBe(0)
    expect(enabledActions(null, idle).size).toBe(0)
  })
})

describe('terminal keyboard keys', () => {
  const all = new Set<Action>(ACTIONS)

  it('F1–F10 map one to one onto the actions, in the buttons order', () => {
    expect(ACTIONS.map((a) => KEY_OF[a])).toEqual(['F1', 'F2', 'F3', 'F4', 'F5', 'F6', 'F7', 'F8', 'F9', 'F10'])
    for (const a of ACTIONS) expect(keyAction({ key: KEY_OF[a] }, all, false)).toEqual({ action: a, preventDefault: true })
  })

  it('the keys a clerk uses most: F1 call next, F2 recall, F3 no-show, F4 start, F5 finish', () => {
    const calledState = enabledActions(view({ current: ticket() }), idle)
    expect(keyAction({ key: 'F2' }, calledState, false).action).toBe('recall')
    expect(keyAction({ key: 'F3' }, calledState, false).action).toBe('noShow')
    expect(keyAction({ key: 'F4' }, calledState, false).action).toBe('start')
    expect(keyAction({ key: 'F5' }, calledState, false).action).toBe('finish')
    expect(keyAction({ key: 'F6' }, calledState, false).action).toBe('transfer')
    expect(keyAction({ key: 'F7' }, calledState, false).action).toBe('park')
    expect(keyAction({ key: 'F1' }, calledState, false).action).toBe(null)
    expect(keyAction({ key: 'F1' }, enabledActions(view(), idle), false).action).toBe('callNext')
    expect(keyAction({ key: 'F10' }, enabledActions(view(), idle), false).action).toBe('choose')
    expect(keyAction({ key: 'F8' }, enabledActions(view(), idle), false).action).toBe('pause')
  })

  it('a mapped key the state refuses does nothing, but the browser does not get it either (F5 reload)', () => {
    expect(keyAction({ key: 'F5' }, new Set(), false)).toEqual({ action: null, preventDefault: true })
  })

  it('a held key repeats nothing: one F1 calls one person', () => {
    expect(keyAction({ key: 'F1', repeat: true }, all, false)).toEqual({ action: null, preventDefault: true })
  })

  it('with a modifier the key stays the browser’s (Ctrl+F5), and unmapped keys are untouched', () => {
    expect(keyAction({ key: 'F5', ctrlKey: true }, all, false)).toEqual({ action: null, preventDefault: false })
    expect(keyAction({ key: 'F1', altKey: true }, all, false).preventDefault).toBe(false)
    expect(keyAction({ key: 'F12' }, all, false)).toEqual({ action: null, preventDefault: false })
    expect(keyAction({ key: '1' }, all, false)).toEqual({ action: null, preventDefault: false })
  })

  it('while the picker is open the keys do not act on the queue', () => {
    expect(keyAction({ key: 'F1' }, all, true)).toEqual({ action: null, preventDefault: true })
  })
})

describe('recalls, time in service, clock', () => {
  it('counts recalls against the limit and warns before the one that makes a no-show', () => {
    expect(recallInfo(ticket({ recallCount: 1 }), 2)).toEqual({ used: 1, max: 2, last: false })
    expect(recallInfo(ticket({ recallCount: 2 }), 2)).toEqual({ used: 2, max: 2, last: true })
    expect(recallInfo(null, 2).last).toBe(false)
  })

  it('times service from its start, else from the call', () => {
    const now = Date.parse('2026-12-08T01:12:05Z')
    expect(serviceSeconds(ticket(), now)).toBe(125)
    expect(serviceSeconds(ticket({ startedAt: '2026-12-08T01:12:00Z' }), now)).toBe(5)
    expect(serviceSeconds(null, now)).toBe(null)
    expect(formatDuration(125)).toBe('2:05')
    expect(formatDuration(3725)).toBe('1:02:05')
    expect(clockOffset('2026-12-08T01:12:05Z', now - 3000)).toBe(3000)
    expect(clockOffset('garbage', now)).toBe(0)
  })
})

describe('transfer picker search, sign-in keypad, errors', () => {
  const targets: TransferTargets = {
    matters: [
      { id: 'passport', name: '护照', departmentName: '出入境', waiting: 3 },
      { id: 'card', name: '社保卡补办', departmentName: '社保', waiting: 0 },
    ],
    windows: [{ id: 'w5', number: 'A05', name: '社保综窗', state: 'open', waiting: 1 }],
  }

  it('finds matters by hanzi or pinyin initials, windows by number', () => {
    expect(filterTargets(targets, 'hz').matters.map((m) => m.id)).toEqual(['passport'])
    expect(filterTargets(targets, '社保').matters.map((m) => m.id)).toEqual(['card'])
    expect(filterTargets(targets, 'a05').windows.map((w) => w.id)).toEqual(['w5'])
    expect(filterTargets(targets, '').matters.length).toBe(2)
    expect(filterTargets(targets, 'zzz')).toEqual({ matters: [], windows: [] })
  })

  it('types a 工号 of digits and letters, at most 32', () => {
    expect(typeEmployeeNo('10', '0')).toBe('100')
    expect(typeEmployeeNo('10', 'back')).toBe('1')
    expect(typeEmployeeNo('10', 'clear')).toBe('')
    expect(typeEmployeeNo('10', '-')).toBe('10')
    expect(typeEmployeeNo('1'.repeat(32), '2')).toBe('1'.repeat(32))
  })

  it('words the refusals it knows in both languages, and tells a session end from a refusal', () => {
    expect(errorKey('terminal.not_seated', 403)).toBe('terminal_not_seated')
    expect(errorKey(null, 0)).toBe('network')
    expect(errorKey('whatever', 429)).toBe('session_throttled')
    expect(errorKey('queue.something_new', 422)).toBe(null)
    for (const lang of ['zh-CN', 'en-US'] as const) {
      const words = deviceMessages[lang].terminal.error as Record<string, string>
      for (const code of ['terminal.not_seated', 'terminal.wrong_credentials', 'queue.window_busy']) {
        expect(words[errorKey(code, 403)!]).toBeTruthy()
      }
    }
    expect(endsSession('terminal.session_expired')).toBe(true)
    expect(endsSession('terminal.wrong_credentials')).toBe(false)
  })
})
