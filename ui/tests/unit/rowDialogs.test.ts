import { describe, expect, it, vi } from 'vitest'
import { useDeleteConfirm, useEditDialog } from '../../src/components/common/useRowDialogs'
import { useLoader } from '../../src/components/common/useLoader'
import { deferred } from './helpers'

describe('useEditDialog', () => {
  it('opens blank to add and with the row to edit', () => {
    const d = useEditDialog<{ id: string }>()
    d.openEdit({ id: 'a' })
    expect(d.open.value).toBe(true)
    expect(d.editing.value).toEqual({ id: 'a' })
    d.open.value = false
    d.openCreate()
    expect(d.open.value).toBe(true)
    expect(d.editing.value).toBeNull()
  })
})

describe('useDeleteConfirm', () => {
  it('removes the asked row once, closes and says so', async () => {
    const gate = deferred<void>()
    const remove = vi.fn(() => gate.promise)
    const done = vi.fn()
    const failed = vi.fn()
    const d = useDeleteConfirm<string>({ remove, done, failed })
    d.ask('w1')
    expect(d.open.value).toBe(true)
    const first = d.confirm()
    void d.confirm()
    expect(d.busy.value).toBe(true)
    gate.resolve()
    await first
    expect(remove).toHaveBeenCalledTimes(1)
    expect(done).toHaveBeenCalledWith('w1')
    expect(failed).not.toHaveBeenCalled()
    expect(d.open.value).toBe(false)
    expect(d.busy.value).toBe(false)
  })

  it('closes on a refusal and hands it on', async () => {
    const refusal = { code: 'window.referenced', message: 'x', field: null }
    const failed = vi.fn()
    const d = useDeleteConfirm<string>({ remove: () => Promise.reject(refusal), done: vi.fn(), failed })
    d.ask('w1')
    await d.confirm()
    expect(failed).toHaveBeenCalledWith(refusal)
    expect(d.open.value).toBe(false)
  })

  it('does nothing before a row is asked', async () => {
    const remove = vi.fn(() => Promise.resolve())
    const d = useDeleteConfirm<string>({ remove, done: vi.fn(), failed: vi.fn() })
    await d.confirm()
    expect(remove).not.toHaveBeenCalled()
  })
})

describe('useLoader', () => {
  it('keeps only the latest answer', async () => {
    const answers = [deferred<number>(), deferred<number>()]
    let i = 0
    const applied: number[] = []
    const l = useLoader(() => answers[i++].promise, (v) => applied.push(v))
    const first = l.load()
    const second = l.load()
    answers[1].resolve(2)
    await second
    answers[0].resolve(1)
    await first
    expect(applied).toEqual([2])
    expect(l.status.value).toBe('ready')
  })

  it('keeps the refusal as a CommandError', async () => {
    const l = useLoader(() => Promise.reject({ code: 'internal', message: 'down', field: null }), () => {})
    await l.load()
    expect(l.status.value).toBe('error')
    expect(l.error.value?.message).toBe('down')
  })
})
