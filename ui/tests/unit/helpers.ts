// Shared by the unit tests: fixtures and a stand-in for the Tauri shell's `invoke`.
import { afterEach, beforeEach, expect, type Mock } from 'vitest'
import { createApp, defineComponent, h, type App, type Component, type Plugin } from 'vue'
import { createPinia, setActivePinia } from 'pinia'
import type { CaseSummary, CommandError, ErrorCode, HallWindow, Matter, Staff } from '../../src/api'

type Handler = (args: Record<string, unknown>) => unknown

/**
 * Makes the mocked `invoke` answer each command with its handler (a thrown value or a rejected
 * promise is the shell's refusal); a command without one rejects like an unknown command.
 */
export function answer(invoke: Mock, handlers: Record<string, Handler>) {
  invoke.mockImplementation(async (command: string, args?: Record<string, unknown>) => {
    const h = handlers[command]
    if (!h) throw { code: 'internal', message: `no handler for ${command}`, field: null }
    return h(args ?? {})
  })
}

/** Each test of the file starts with fresh stores and an `invoke` that answers nothing yet. */
export function freshStoresEach(invoke: Mock) {
  beforeEach(() => {
    setActivePinia(createPinia())
    invoke.mockReset()
  })
}

/** How many times the shell was asked `command`. */
export const callsOf = (invoke: Mock, command: string) => invoke.mock.calls.filter(([c]) => c === command).length

const apps: App[] = []

/** Mounts `root` (with `plugins`) into a new element of the page; see `unmountAfterEach`. */
export function mountApp(root: Component, plugins: Plugin[] = []): HTMLElement {
  const app = createApp(root)
  for (const p of plugins) app.use(p)
  const el = document.createElement('div')
  document.body.append(el)
  app.mount(el)
  apps.push(app)
  return el
}

/** Runs `setup` in a mounted component (composables need one) and hands back what it returns. */
export function withSetup<T>(setup: () => T, plugins: Plugin[] = []): T {
  let out!: T
  mountApp(
    defineComponent({
      setup() {
        out = setup()
        return () => h('div')
      },
    }),
    plugins,
  )
  return out
}

/** After each test of the file, what `mountApp` mounted is unmounted and the page emptied. */
export function unmountAfterEach() {
  afterEach(() => {
    for (const app of apps.splice(0)) app.unmount()
    document.body.innerHTML = ''
  })
}

/** A promise and the functions that settle it, to hold a command's answer back. */
export function deferred<T>() {
  let resolve!: (v: T) => void
  let reject!: (e: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

/** Lets pending promise callbacks run. */
export const flush = () => new Promise<void>((r) => setTimeout(r, 0))

/** A shell refusal. Tests use codes of their own too, so any string is let through as an ErrorCode. */
export const refusal = (code: string, message = code, field: string | null = null): CommandError => ({
  code: code as ErrorCode,
  message,
  field,
})

/** A list store as the tests of its reads see it. */
interface ListStore {
  load: () => Promise<void>
  status: string
  items: unknown[]
  loadError: CommandError | null
}

/**
 * Reads a loaded list store again with its list command refused (the server is unreachable):
 * the `count` items stay on screen and the refusal is kept.
 */
export async function expectKeptOnRefusedReload(invoke: Mock, store: ListStore, command: string, count: number) {
  answer(invoke, { [command]: refuses('server.unreachable', '无法连接服务器') })
  await store.load()
  expect(store.status).toBe('ready')
  expect(store.items).toHaveLength(count)
  expect(store.loadError?.code).toBe('server.unreachable')
}

/** A command's handler for `answer` that refuses (see `refusal`). */
export const refuses =
  (code: string, message = code, field: string | null = null): Handler =>
  () => {
    throw refusal(code, message, field)
  }

export function hallWindow(id: string, position: number, extra: Partial<HallWindow> = {}): HallWindow {
  return {
    id,
    number: `A${String(position + 1).padStart(2, '0')}`,
    name: `Window ${id}`,
    zone: '',
    kind: 'general',
    state: 'open',
    position,
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    ...extra,
  }
}

export function matter(id: string, extra: Partial<Matter> = {}): Matter {
  return {
    id,
    catalogCode: `C-${id}`,
    name: `Matter ${id}`,
    departmentId: 'd1',
    matterType: '行政许可',
    required: true,
    timeLimitDays: null,
    ticketPrefix: '',
    state: 'active',
    ...extra,
  }
}

export function staff(id: string, employeeNo: string, extra: Partial<Staff> = {}): Staff {
  return { id, employeeNo, name: `Staff ${employeeNo}`, departmentId: null, ...extra } as Staff
}

export function caseSummary(id: string, openedAt: string, extra: Partial<CaseSummary> = {}): CaseSummary {
  return { id, openedAt, unread: false, ...extra } as CaseSummary
}


