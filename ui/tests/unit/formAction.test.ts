import { describe, expect, it, vi } from 'vitest'
import type { CommandError } from '../../src/api'
import { refusalIn, useFormAction } from '../../src/components/common/useFormAction'
import { useDeleteConfirm } from '../../src/components/common/useRowDialogs'
import { deferred, refusal as refusalOf } from './helpers'

const refusal = (code: string, field: string | null = null) => refusalOf(code, `shell: ${code}`, field)

describe('refusalIn', () => {
  const words: Record<string, string> = { 'accounts.codes.account_login_taken': '登录名已被使用' }
  const said = refusalIn('accounts', (k) => words[k] ?? k, (k) => k in words)

  it("uses the page's words for a code it knows, keeping the field", () => {
    expect(said(refusal('account.login_taken', 'login'))).toEqual({
      code: 'account.login_taken',
      message: '登录名已被使用',
      field: 'login',
    })
  })

  it("keeps the shell's message for any other code", () => {
    expect(said(refusal('server.unreachable')).message).toBe('shell: server.unreachable')
  })
})

describe('useFormAction', () => {
  const make = (run: (s: string) => Promise<number>, extra: Partial<Parameters<typeof useFormAction<string, number>>[0]> = {}) => {
    const fill = vi.fn()
    const done = vi.fn()
    const action = useFormAction<string, number>({ fill, run, done, said: (e) => e as CommandError, ...extra })
    return { action, fill, done }
  }

  it('fills and opens for its subject, then runs, closes and hands the answer on', async () => {
    const gate = deferred<number>()
    const { action, fill, done } = make(() => gate.promise)
    action.error.value = refusal('old')
    action.show('row-1')
    expect(fill).toHaveBeenCalledWith('row-1')
    expect(action.open.value).toBe(true)
    expect(action.subject.value).toBe('row-1')
    expect(action.error.value).toBeNull()
    const sent = action.submit()
    expect(action.busy.value).toBe(true)
    gate.resolve(7)
    await sent
    expect(done).toHaveBeenCalledWith(7, 'row-1')
    expect(action.open.value).toBe(false)
    expect(action.busy.value).toBe(false)
  })

  it('keeps a refusal and the dialog open', async () => {
    const { action, done } = make(() => Promise.reject(refusal('device.name_taken', 'name')))
    action.show('d1')
    await action.submit()
    expect(action.open.value).toBe(true)
    expect(done).not.toHaveBeenCalled()
    expect(action.fieldError('name')).toBe('shell: device.name_taken')
    expect(action.fieldError('windowId')).toBe('')
    // Without `fields`, a refusal that names a field is not shown above the form.
    expect(action.formError()).toBeNull()
  })

  it('shows above the form a refusal naming none of its fields', async () => {
    const { action } = make(() => Promise.reject(refusal('access.forbidden', 'grant')), { fields: ['login', 'role'] })
    action.show('a1')
    await action.submit()
    expect(action.formError()?.code).toBe('access.forbidden')
    action.error.value = refusal('account.login_taken', 'login')
    expect(action.formError()).toBeNull()
  })

  it('does not send until the form is ready', async () => {
    const run = vi.fn(() => Promise.resolve(1))
    let ready = false
    const { action } = make(run, { ready: () => ready })
    action.show()
    await action.submit()
    expect(run).not.toHaveBeenCalled()
    expect(action.open.value).toBe(true)
    ready = true
    await action.submit()
    expect(run).toHaveBeenCalledTimes(1)
  })
})

describe('useDeleteConfirm keepOpenOnFail', () => {
  it('leaves the dialog open on a refusal', async () => {
    const failed = vi.fn()
    const d = useDeleteConfirm<string>({
      remove: () => Promise.reject(refusal('device.revoked')),
      done: vi.fn(),
      failed,
      keepOpenOnFail: true,
    })
    d.ask('d1')
    await d.confirm()
    expect(failed).toHaveBeenCalled()
    expect(d.open.value).toBe(true)
    expect(d.busy.value).toBe(false)
  })
})
