// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createApp, defineComponent, h } from 'vue'

vi.mock('@tauri-apps/api/core', () => ({ invoke: vi.fn() }))
import { invoke } from '@tauri-apps/api/core'
import { reportUiErrors } from '../../src/utils/reportErrors'
import { flush } from './helpers'

const invokeMock = vi.mocked(invoke)
const sent = () =>
  invokeMock.mock.calls.filter(([c]) => c === 'report_ui_error').map(([, a]) => a as { kind: string; message: string })

describe('reportUiErrors', () => {
  const originalError = console.error
  beforeEach(() => {
    invokeMock.mockReset()
    invokeMock.mockResolvedValue(null)
  })
  afterEach(() => {
    console.error = originalError
  })

  it('sends console errors to the shell and still prints them', async () => {
    const printed: unknown[][] = []
    console.error = (...args: unknown[]) => printed.push(args)
    reportUiErrors(createApp({}))
    console.error('failed:', { code: 'x' }, new Error('boom'))
    await flush()
    expect(printed).toHaveLength(1)
    const [report] = sent()
    expect(report?.kind).toBe('console')
    expect(report?.message).toMatch(/^failed: \{"code":"x"\} Error: boom/)
  })

  it('reports a component error with where Vue caught it', async () => {
    console.error = () => undefined
    const Broken = defineComponent({
      setup() {
        throw new Error('setup failed')
      },
      render: () => h('div'),
    })
    const app = createApp(Broken)
    reportUiErrors(app)
    app.mount(document.createElement('div'))
    await flush()
    const vue = sent().find((r) => r.kind === 'vue')
    expect(vue?.message).toContain('Error: setup failed')
    expect(vue?.message).toContain('(setup function)')
  })

  it('never raises when the shell cannot take the report', async () => {
    console.error = () => undefined
    invokeMock.mockRejectedValue(new Error('no IPC'))
    reportUiErrors(createApp({}))
    const circular: Record<string, unknown> = {}
    circular.self = circular
    expect(() => console.error(circular)).not.toThrow()
    await flush()
    expect(sent()[0]?.message).toBe('[object Object]')
  })
})
