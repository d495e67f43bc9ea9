// @vitest-environment happy-dom
// The Must-show "terminal keyboard keys" on the page itself: a function key pressed on the
// signed-in terminal sends its request, with the device token and the person's session, and the
// browser's own use of the key is stopped; a held key sends nothing more.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { TerminalSession, TerminalView, Ticket } from '../../../src/api/types.gen'
import TerminalPage from '../../../src/devices/terminal/TerminalPage.vue'
import { i18n } from '../../../src/devices/i18n'
import type { Paired } from '../../../src/devices/pairing'
import { createApp, type App } from 'vue'
import { flush } from '../helpers'

const paired: Paired = {
  token: 'hk_device',
  device: { id: 'd1', hallId: 'h', kind: 'caller', name: '2号窗口', windowId: 'w1', createdAt: '', revokedAt: null, lastSeenAt: null },
}
const session: TerminalSession = {
  token: 'hkt_person',
  windowId: 'w1',
  person: { accountId: 'a', displayName: '陈晓梅', employeeNo: '1001', staffId: 's', role: 'window_staff', seated: true, expiresAt: '2026-12-08T12:00:00Z' },
}

function ticket(state: Ticket['state']): Ticket {
  return {
    id: 't1', number: 'A003', prefix: 'A', sequence: 3, day: '2026-12-08', order: 2, issuedMatterId: 'm', matterId: 'm',
    class: 'normal', state, windowId: state === 'waiting' ? null : 'w1', targetWindowId: null, recallCount: 0, transferCount: 0,
    issuedAt: '2026-12-08T01:00:00Z', firstCalledAt: null, calledAt: '2026-12-08T01:10:00Z', startedAt: null, endedAt: null,
    updatedAt: '2026-12-08T01:10:00Z',
  }
}

let current: Ticket | null = null
const requests: { method: string; path: string; session: string | null }[] = []

function view(): TerminalView {
  return {
    windowId: 'w1', windowNumber: '2', windowName: '2号窗口', windowState: 'open', current, matterNames: { m: '护照' },
    waiting: current ? 1 : 2, waitingList: [ticket('waiting')], parked: [], maxRecalls: 2, person: session.person,
    now: new Date().toISOString(),
  }
}

const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } })

beforeEach(() => {
  current = null
  requests.length = 0
  localStorage.setItem('hallkeeper.terminal.session.d1', JSON.stringify(session))
  vi.stubGlobal('fetch', async (path: string, init: RequestInit) => {
    const headers = (init.headers ?? {}) as Record<string, string>
    const method = init.method ?? 'GET'
    requests.push({ method, path, session: headers['X-Terminal-Session'] ?? null })
    if (path === '/api/v1/terminal/window') return json({ hallName: '大厅', windowId: 'w1', windowNumber: '2', windowName: '', signInRequired: true })
    if (path === '/api/v1/caller/terminal') return json(view())
    if (path === '/api/v1/caller/next') {
      current = ticket('called')
      return json(current)
    }
    if (path === '/api/v1/caller/tickets/t1/recall') return json({ ...ticket('called'), recallCount: 1 })
    return new Response(JSON.stringify({ code: 'request.no_such_endpoint', message: 'no', field: null }), { status: 404 })
  })
})
let app: App | null = null
afterEach(() => {
  app?.unmount()
  document.body.innerHTML = ''
  vi.unstubAllGlobals()
  localStorage.clear()
})

function mount(): HTMLElement {
  const el = document.createElement('div')
  document.body.append(el)
  app = createApp(TerminalPage, { paired }).use(i18n)
  app.mount(el)
  return el
}

async function settle() {
  for (let i = 0; i < 5; i++) await flush()
}

function press(key: string, repeat = false): KeyboardEvent {
  const e = new KeyboardEvent('keydown', { key, repeat, cancelable: true, bubbles: true })
  window.dispatchEvent(e)
  return e
}

const sent = (path: string) => requests.filter((r) => r.method === 'POST' && r.path === path)

describe('terminal keyboard keys on the page', () => {
  it('F1 calls the next ticket with the person’s session; held, it calls nobody else; F2 recalls', async () => {
    const el = mount()
    await settle()
    const callNext = el.querySelector<HTMLButtonElement>('[data-testid=terminal-call-next]')!
    expect(callNext.textContent).toContain('F1')
    expect(callNext.disabled).toBe(false)
    expect(el.querySelector<HTMLButtonElement>('[data-testid=terminal-recall]')!.disabled).toBe(true)

    const e = press('F1')
    expect(e.defaultPrevented).toBe(true)
    await settle()
    expect(sent('/api/v1/caller/next')).toEqual([{ method: 'POST', path: '/api/v1/caller/next', session: 'hkt_person' }])
    expect(el.querySelector('[data-testid=terminal-current-number]')!.textContent).toBe('A003')

    // Held down (repeat) and pressed while a ticket is open: no second call.
    press('F1', true)
    press('F1')
    await settle()
    expect(sent('/api/v1/caller/next')).toHaveLength(1)

    press('F2')
    await settle()
    expect(sent('/api/v1/caller/tickets/t1/recall')).toHaveLength(1)
    // Ctrl+F5 stays the browser's.
    expect(press('F5').defaultPrevented).toBe(true)
    const ctrl = new KeyboardEvent('keydown', { key: 'F5', ctrlKey: true, cancelable: true })
    window.dispatchEvent(ctrl)
    expect(ctrl.defaultPrevented).toBe(false)
  })
})
