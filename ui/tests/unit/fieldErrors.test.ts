// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest'
import { nextTick, reactive, ref } from 'vue'
import { useDialogForm, useFieldErrors } from '../../src/utils/fieldErrors'
import { flush, refusal } from './helpers'

describe('useFieldErrors', () => {
  it('shows a refusal under the field it names when the form has that field', () => {
    const { errors, showAtField } = useFieldErrors()
    errors.value = { zone: 'stale message' }
    expect(showAtField(refusal('window.number_taken', 'taken', 'number'), ['number', 'name'])).toBe(true)
    // One refusal at a time: the earlier messages go.
    expect(errors.value).toEqual({ number: 'taken' })
  })

  it('leaves a refusal without a field, or naming a field the form lacks, to the caller', () => {
    const { errors, showAtField } = useFieldErrors()
    expect(showAtField(refusal('internal', 'boom'), ['number'])).toBe(false)
    expect(showAtField(refusal('x.y', 'other', 'zone'), ['number'])).toBe(false)
    expect(errors.value).toEqual({})
  })

  it('clears one field and keeps the others, replacing the object so watchers see it', () => {
    const { errors, clearError } = useFieldErrors()
    errors.value = { number: 'a', name: 'b' }
    const before = errors.value
    clearError('number')
    expect(errors.value).toEqual({ name: 'b' })
    expect(errors.value).not.toBe(before)
    const after = errors.value
    clearError('zone')
    expect(errors.value).toBe(after)
  })
})

describe('useDialogForm', () => {
  function dialog(save: () => Promise<void>) {
    const open = ref(false)
    const form = reactive({ number: '', name: '' })
    const focused: (string | null)[] = []
    let fills = 0
    const d = useDialogForm({
      open,
      form,
      fields: ['number', 'name'],
      fill: () => {
        fills += 1
        form.number = 'A01'
      },
      fieldOf: (err) => (err.field === 'number' || err.field === 'name' ? err.field : null),
      focus: (f) => focused.push(f),
      save,
    })
    return { d, open, form, focused, fills: () => fills }
  }

  it('starts each opening from fill, with no refusal left', async () => {
    const { d, open, form, fills } = dialog(async () => {
      throw refusal('window.number_taken', 'taken', 'number')
    })
    open.value = true
    await nextTick()
    expect(form.number).toBe('A01')
    await d.submit()
    expect(d.error.value?.message).toBe('taken')
    open.value = false
    await nextTick()
    open.value = true
    await nextTick()
    expect(fills()).toBe(2)
    expect(d.error.value).toBeNull()
    expect(d.errorField.value).toBeNull()
  })

  it('marks and focuses the refused field until it is edited, keeping the message', async () => {
    const { d, form, focused } = dialog(async () => {
      throw refusal('window.number_taken', 'taken', 'number')
    })
    await d.submit()
    expect(d.errorField.value).toBe('number')
    expect(focused).toEqual(['number'])
    expect(d.busy.value).toBe(false)
    form.name = 'other field'
    await nextTick()
    expect(d.errorField.value).toBe('number')
    form.number = 'A02'
    await nextTick()
    expect(d.errorField.value).toBeNull()
    expect(d.error.value?.message).toBe('taken')
  })

  it('runs one save at a time', async () => {
    let saves = 0
    let release!: () => void
    const { d } = dialog(
      () =>
        new Promise<void>((r) => {
          saves += 1
          release = r
        }),
    )
    const first = d.submit()
    void d.submit()
    expect(saves).toBe(1)
    release()
    await first
    expect(d.busy.value).toBe(false)
  })

  it('submits on Enter, but not on the Enter that ends an IME composition', async () => {
    let saves = 0
    const { d } = dialog(async () => {
      saves += 1
    })
    const composing = { isComposing: true, keyCode: 229, preventDefault: () => undefined } as unknown as Event
    d.onEnter(composing)
    expect(saves).toBe(0)
    let prevented = false
    d.onEnter({ isComposing: false, keyCode: 13, preventDefault: () => (prevented = true) } as unknown as Event)
    await flush()
    expect(saves).toBe(1)
    expect(prevented).toBe(true)
  })

  it('gives focus back to the first field unless it is already in the form', () => {
    const focused: (string | null)[] = []
    const typed = document.createElement('input')
    const other = document.createElement('select')
    const form = document.createElement('form')
    form.className = 'the-form'
    form.append(other)
    const outside = document.createElement('button')
    document.body.append(typed, form, outside)
    const d = useDialogForm({
      open: ref(false),
      form: reactive({ number: '' }),
      fields: ['number'],
      fill: () => {},
      fieldOf: () => null,
      focus: (f) => focused.push(f),
      save: async () => {},
      inputs: [ref({ input: () => typed })],
      within: '.the-form',
    })
    typed.focus()
    d.keepFocusInForm()
    other.focus()
    d.keepFocusInForm()
    expect(focused).toEqual([])
    outside.focus()
    d.keepFocusInForm()
    expect(focused).toEqual([null])
    typed.remove()
    form.remove()
    outside.remove()
  })
})
