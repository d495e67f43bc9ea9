import { nextTick, ref, watch, type Ref } from 'vue'
import { toCommandError } from '../api/errors'
import type { CommandError } from '../api'

/**
 * The errors a settings form shows under its fields, by field name: set by the form's own checks
 * or by a refusal that names one of its fields, cleared as the field is edited.
 */
export function useFieldErrors() {
  const errors = ref<Record<string, string>>({})

  function clearError(field: string) {
    if (errors.value[field]) {
      const next = { ...errors.value }
      delete next[field]
      errors.value = next
    }
  }

  /** Shows a refusal under its field when the form has that field; false when it has not. */
  function showAtField(err: CommandError, fields: readonly string[]): boolean {
    if (!err.field || !fields.includes(err.field)) return false
    errors.value = { [err.field]: err.message }
    return true
  }

  return { errors, clearError, showAtField }
}

/**
 * A dialog's form (FormDialog.vue) that the shell validates: `submit` runs `save` once at a time;
 * a refusal is kept (the dialog shows it) and the field it names is marked and focused until that
 * field is edited. Each opening starts again from `fill`.
 */
export function useDialogForm<F extends string>(opts: {
  open: Ref<boolean>
  form: Record<F, unknown>
  fields: readonly F[]
  /** Puts the values to start from into the form (the dialog has just opened). */
  fill: () => void
  /** Which field a refusal is about, if any. */
  fieldOf: (err: CommandError) => F | null
  focus: (field: F | null) => void
  save: () => Promise<void>
  /** The form's text fields (FormTextField refs), and a selector of the rest of the form. */
  inputs?: readonly Ref<{ input: () => unknown } | undefined>[]
  within?: string
}) {
  const error = ref<CommandError | null>(null)
  const errorField = ref<F | null>(null) as Ref<F | null>
  const busy = ref(false)

  watch(opts.open, (isOpen) => {
    if (!isOpen) return
    opts.fill()
    error.value = null
    errorField.value = null
    busy.value = false
  })

  // Editing a field clears its mark (the message stays until the next attempt).
  for (const f of opts.fields) {
    watch(
      () => opts.form[f],
      () => {
        if (errorField.value === f) errorField.value = null
      },
    )
  }

  async function submit() {
    if (busy.value) return
    busy.value = true
    error.value = null
    errorField.value = null
    try {
      await opts.save()
    } catch (e) {
      const err = toCommandError(e)
      error.value = err
      errorField.value = opts.fieldOf(err)
      await nextTick()
      opts.focus(errorField.value)
    } finally {
      busy.value = false
    }
  }

  /** Enter in an input submits, except the Enter that confirms an IME composition. */
  function onEnter(e: Event) {
    const k = e as KeyboardEvent
    if (k.isComposing || k.keyCode === 229) return
    e.preventDefault()
    void submit()
  }

  // The first field takes focus as soon as the dialog renders, not after its opening animation:
  // a fast typist's first keys must land in it.
  function focusOnOpen() {
    void nextTick(() => opts.focus(null))
  }

  // The dialog's focus trap may take focus when the animation ends; give it back to the form
  // unless the user has already moved on to another of its fields.
  function keepFocusInForm() {
    const active = document.activeElement
    const inForm =
      (opts.inputs ?? []).some((r) => r.value?.input() === active) ||
      (!!opts.within && active instanceof HTMLElement && active.closest(opts.within) !== null)
    if (!inForm) opts.focus(null)
  }

  return { error, errorField, busy, submit, onEnter, focusOnOpen, keepFocusInForm }
}
