// 窗口叫号's pure rules: which key does what, which actions the window's state allows, the
// recall count against the limit, time in service, and the transfer picker's search. The page
// (TerminalPage.vue) only wires these to buttons, keys and the server.
import type { TerminalView, Ticket, TransferMatter, TransferTargets, TransferWindow } from '../../api/types.gen'
import { initialsOf } from '../kiosk/logic'

export type Action =
  | 'callNext'
  | 'recall'
  | 'noShow'
  | 'start'
  | 'finish'
  | 'transfer'
  | 'park'
  | 'pause'
  | 'askRating'
  | 'choose'

/** Every action, in the order of the buttons (and of F1…F10). */
export const ACTIONS: readonly Action[] = [
  'callNext',
  'recall',
  'noShow',
  'start',
  'finish',
  'transfer',
  'park',
  'pause',
  'askRating',
  'choose',
]

/**
 * The keyboard: F1–F10 in the buttons' order, the way a counter keyboard's function row is
 * labelled. Function keys, because digits and letters belong to the sign-in form and the
 * picker's search; F11 (full screen) and F12 (developer tools) stay the browser's.
 */
export const KEY_OF: Readonly<Record<Action, string>> = {
  callNext: 'F1',
  recall: 'F2',
  noShow: 'F3',
  start: 'F4',
  finish: 'F5',
  transfer: 'F6',
  park: 'F7',
  pause: 'F8',
  askRating: 'F9',
  choose: 'F10',
}

const ACTION_OF_KEY: ReadonlyMap<string, Action> = new Map(ACTIONS.map((a) => [KEY_OF[a], a]))

/** What the key handler needs of a keyboard event. */
export interface KeyPress {
  key: string
  repeat?: boolean
  ctrlKey?: boolean
  altKey?: boolean
  metaKey?: boolean
}

export interface KeyOutcome {
  /** The action to run, or null (an unmapped key, a held key, or one the state does not allow). */
  action: Action | null
  /** Whether the browser's own use of the key must be stopped (F5 would reload the page, F1
   *  open help) — true for every mapped key, even when its action is not allowed now. */
  preventDefault: boolean
}

/**
 * The terminal's key handler: a mapped function key, not held down (a held F1 must not call
 * three people), without modifiers (Ctrl+F5 stays the browser's hard reload), whose action the
 * state allows. `dialogOpen`: while the picker or a confirmation is up, the keys act in it, not
 * on the queue.
 */
export function keyAction(press: KeyPress, enabled: ReadonlySet<Action>, dialogOpen: boolean): KeyOutcome {
  const action = ACTION_OF_KEY.get(press.key)
  if (!action || press.ctrlKey || press.altKey || press.metaKey) return { action: null, preventDefault: false }
  if (press.repeat || dialogOpen || !enabled.has(action)) return { action: null, preventDefault: true }
  return { action, preventDefault: true }
}

/** What the screen knows besides the server's view: a ticket just finished (请评价 asks the pad
 *  about it) and whether a request is in flight (no second press while the first is on its way). */
export interface LocalState {
  busy: boolean
  lastFinished: Ticket | null
}

/** The actions the window's state allows now. */
export function enabledActions(view: TerminalView | null, local: LocalState): Set<Action> {
  const on = new Set<Action>()
  if (!view || local.busy) return on
  const open = view.windowState === 'open'
  const cur = view.current
  const called = cur?.state === 'called'
  const active = called || cur?.state === 'serving'
  // Not gated on the waiting count: it is read every few seconds, and a citizen who took a
  // ticket since must not meet a dead F1. With nobody waiting the server says so (没有等候的号码).
  if (open && !cur) on.add('callNext')
  if (called) {
    on.add('recall')
    on.add('noShow')
    on.add('start')
  }
  if (active) {
    on.add('finish')
    on.add('transfer')
    on.add('park')
  }
  if (view.windowState !== 'closed') on.add('pause')
  if (cur?.state === 'serving' || local.lastFinished) on.add('askRating')
  if (open && !cur && (view.waitingList.length > 0 || view.parked.length > 0)) on.add('choose')
  return on
}

/** 重呼 n/max, and whether the next recall makes the ticket a no-show (the engine's rule). */
export function recallInfo(ticket: Ticket | null, maxRecalls: number): { used: number; max: number; last: boolean } {
  const used = ticket?.recallCount ?? 0
  return { used, max: maxRecalls, last: ticket !== null && used >= maxRecalls }
}

/** Seconds since the current ticket was called (or resumed), at `nowMs` on the server's clock. */
export function serviceSeconds(ticket: Ticket | null, nowMs: number): number | null {
  const since = ticket?.startedAt ?? ticket?.calledAt
  if (!since) return null
  return Math.max(0, Math.floor((nowMs - Date.parse(since)) / 1000))
}

/** `m:ss`, or `h:mm:ss` from an hour on. */
export function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600)
  const m = Math.floor((seconds % 3600) / 60)
  const s = seconds % 60
  const ss = String(s).padStart(2, '0')
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`
}

/** The server's clock minus the device's, from an answer's `now`: the timer ticks in server time. */
export function clockOffset(serverNow: string, deviceMs: number): number {
  const t = Date.parse(serverNow)
  return Number.isNaN(t) ? 0 : t - deviceMs
}

function hit(q: string, texts: string[]): boolean {
  return texts.some((t) => t.toLowerCase().includes(q) || initialsOf(t).startsWith(q))
}

/** The transfer picker's search: hanzi, pinyin initials ("hz" → 护照), window number or name. */
export function filterTargets(targets: TransferTargets, query: string): { matters: TransferMatter[]; windows: TransferWindow[] } {
  const q = query.trim().toLowerCase().replace(/\s+/g, '')
  if (!q) return { matters: targets.matters, windows: targets.windows }
  return {
    matters: targets.matters.filter((m) => hit(q, [m.name, m.departmentName])),
    windows: targets.windows.filter((w) => hit(q, [w.number, w.name])),
  }
}

/** A 工号 as typed on the sign-in keypad: digits and letters, at most 32. */
export function typeEmployeeNo(value: string, key: string): string {
  if (key === 'back') return value.slice(0, -1)
  if (key === 'clear') return ''
  if (value.length >= 32 || !/^[0-9A-Za-z]$/.test(key)) return value
  return value + key
}

/** The refusal codes the terminal words itself (messages `terminal.error.<code>`); others show
 *  the server's message. */
export const WORDED_ERRORS = [
  'terminal.wrong_credentials',
  'terminal.not_seated',
  'terminal.no_role',
  'terminal.password_change_required',
  'terminal.session_expired',
  'terminal.sign_in_required',
  'session.account_disabled',
  'session.throttled',
  'queue.nothing_waiting',
  'queue.window_busy',
  'queue.window_closed',
  'network',
  'askRatingMissing',
] as const

/** The message key (`terminal.error.<key>`) of a refusal the terminal words itself, or null. */
export function errorKey(code: string | null, status: number): string | null {
  if (status === 0) return 'network'
  const c = status === 429 ? 'session.throttled' : (code ?? '')
  // vue-i18n reads dots as a path: `terminal.not_seated` is stored as `terminal_not_seated`.
  return (WORDED_ERRORS as readonly string[]).includes(c) ? c.replace('.', '_') : null
}

/** A terminal 401 that ends the person's session (not the device's pairing). */
export function endsSession(code: string | null): boolean {
  return code === 'terminal.session_expired' || code === 'terminal.sign_in_required'
}
