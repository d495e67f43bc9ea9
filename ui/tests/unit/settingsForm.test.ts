// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest'

vi.mock('@tauri-apps/api/core', () => ({ invoke: vi.fn() }))
vi.mock('element-plus', () => ({ ElMessage: vi.fn() }))
import { ElMessage } from 'element-plus'
import { i18n } from '../../src/i18n'
import { useSettingsForm } from '../../src/components/settings/settingsForm'
import { flush, refusal, unmountAfterEach, withSetup } from './helpers'

interface Rule {
  name: string
  days: number
}

unmountAfterEach()

/** A card over `Rule` as a settings card makes it, read from `read` and saved through `write`. */
async function mountForm(read: () => Promise<Rule>, write: (r: Rule) => Promise<Rule>) {
  i18n.global.locale.value = 'en-US'
  const form = withSetup(
    () =>
      useSettingsForm({
        texts: 'starRule',
        prefix: 'rule',
        empty: { name: '', days: '' },
        read,
        write,
        toForm: (r: Rule) => ({ name: r.name, days: String(r.days) }),
        toDoc: (f, num): Rule => ({ name: f.name.trim(), days: num('days', f.days) }),
        digits: 2,
        fields: ['name', 'days'],
      }),
    [i18n],
  )
  await flush()
  return form
}

describe('useSettingsForm', () => {
  it('reads the document into the form, and is unsaved only while the form differs from it', async () => {
    const f = await mountForm(async () => ({ name: 'A', days: 5 }), async (r) => r)
    expect(f.card.value.status).toBe('ready')
    expect(f.form).toEqual({ name: 'A', days: '5' })
    expect(f.card.value.dirty).toBe(false)
    f.form.days = '6'
    expect(f.card.value.dirty).toBe(true)
    f.card.value.onReset()
    expect(f.form.days).toBe('5')
    expect(f.card.value.dirty).toBe(false)
  })

  it('checks whole numbers before sending, under their field', async () => {
    const write = vi.fn(async (r: Rule) => r)
    const f = await mountForm(async () => ({ name: 'A', days: 5 }), write)
    f.form.days = '123'
    await f.card.value.onSave()
    expect(write).not.toHaveBeenCalled()
    expect(Object.keys(f.errors.value)).toEqual(['days'])
    f.clearError('days')
    expect(f.errors.value).toEqual({})
  })

  it('saves the document the form says, keeps the answer and says so', async () => {
    const write = vi.fn(async (r: Rule) => ({ ...r, name: 'saved' }))
    const f = await mountForm(async () => ({ name: 'A', days: 5 }), write)
    f.form.name = ' B '
    f.form.days = '7'
    await f.card.value.onSave()
    expect(write).toHaveBeenCalledWith({ name: 'B', days: 7 })
    expect(f.form).toEqual({ name: 'saved', days: '7' })
    expect(f.card.value.dirty).toBe(false)
    expect(vi.mocked(ElMessage)).toHaveBeenCalledWith(expect.objectContaining({ type: 'success' }))
  })

  it('shows a refusal under the field it names, else above the buttons', async () => {
    let answer = refusal('x.bad', 'bad name', 'name')
    const f = await mountForm(
      async () => ({ name: 'A', days: 5 }),
      async () => {
        throw answer
      },
    )
    await f.card.value.onSave()
    expect(f.errors.value).toEqual({ name: 'bad name' })
    expect(f.card.value.general).toBeNull()
    answer = refusal('internal', 'boom')
    await f.card.value.onSave()
    expect(f.card.value.general?.message).toBe('boom')
  })

  it("gives FieldInput its ids from the card's prefix", async () => {
    const f = await mountForm(async () => ({ name: 'A', days: 5 }), async (r) => r)
    expect(f.numberInput('days', 'd')).toEqual({
      id: 'rule-days',
      testid: 'rule-days',
      numeric: true,
      unit: 'd',
      field: 'days',
      error: undefined,
      errorTestid: 'rule-field-error',
    })
  })
})
