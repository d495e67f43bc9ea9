import { ref, type Ref } from 'vue'
import { toCommandError } from '../../api/errors'
import type { CommandError } from '../../api'

/**
 * A refusal in the UI's language where the page's i18n section has words for its code
 * (`<section>.codes.<code, its dots as _>`); else the shell's own message.
 */
export function refusalIn(section: string, t: (key: string) => string, te: (key: string) => boolean) {
  return (e: unknown): CommandError => {
    const err = toCommandError(e)
    const key = `${section}.codes.${err.code.replace(/\./g, '_')}`
    return te(key) ? { ...err, message: t(key) } : err
  }
}

/**
 * One of a page's form dialogs (a FormDialog) that acts on a subject (the row it was opened for;
 * none for an add): `show` fills the form and opens it; `submit` runs `run` one at a time, closes
 * the dialog and hands the answer to `done`; a refusal stays in `error` (in the page's words, by
 * `said`) and the dialog stays open. `fieldError` is the message of the refusal at a field;
 * `formError` the refusal the form shows above its fields: with `fields`, one that names none of
 * them; without, one that names no field at all.
 */
export function useFormAction<T, R>(opts: {
  fill: (subject: T) => void
  /** The form can be sent (a required choice is made); submit does nothing until then. */
  ready?: () => boolean
  run: (subject: T) => Promise<R>
  done: (result: R, subject: T) => void
  said: (e: unknown) => CommandError
  fields?: readonly string[]
}) {
  const open = ref(false)
  const busy = ref(false)
  const error = ref<CommandError | null>(null)
  const subject = ref<T | null>(null) as Ref<T | null>

  /** Opens the dialog for `s` (an add's dialog: for nothing). */
  function show(s?: T) {
    subject.value = s ?? null
    opts.fill(s as T)
    error.value = null
    open.value = true
  }

  async function submit() {
    const s = subject.value as T
    if (opts.ready && !opts.ready()) return
    busy.value = true
    try {
      const result = await opts.run(s)
      open.value = false
      opts.done(result, s)
    } catch (e) {
      error.value = opts.said(e)
    } finally {
      busy.value = false
    }
  }

  const fieldError = (field: string) => (error.value?.field === field ? error.value.message : '')
  function formError(): CommandError | null {
    const err = error.value
    if (!err) return null
    if (opts.fields) return opts.fields.includes(err.field ?? '') ? null : err
    return err.field ? null : err
  }

  return { open, busy, error, subject, show, submit, fieldError, formError }
}
