// The script of a settings card that edits one saved document through a form of text fields
// (the star rule, the deadline profile): read on mounting, compared with the form for "unsaved",
// whole numbers checked before anything is sent, saved with a toast, and a refusal shown under
// the field it names or, naming none of the form's fields, above the buttons. The card's
// sentences are its i18n section's (`<texts>.saved`, `<texts>.notInteger`, SettingsCard's).
import { computed, reactive, ref, type UnwrapRef } from 'vue'
import { useI18n } from 'vue-i18n'
import type { CommandError } from '../../api'
import { showSuccess } from '../../utils/notify'
import { useFieldErrors } from '../../utils/fieldErrors'
import { useSettingsCard, wholeNumber } from './settingsCard'

export function useSettingsForm<D, F extends object>(opts: {
  /** The i18n section of the card's sentences. */
  texts: string
  /** Prefix of the card's test ids and input ids (`<prefix>-<field>`, `<prefix>-field-error`). */
  prefix: string
  /** The form before the document is read. */
  empty: F
  read: () => Promise<D>
  write: (doc: D) => Promise<D>
  /** The form's text for a document (pure: also what "unsaved" compares with). */
  toForm: (doc: D) => F
  /** The document the form says; `num` reads a field as a whole number (a problem is noted). */
  toDoc: (form: UnwrapRef<F>, num: (field: string, text: string) => number) => D
  /** How many digits a number may have. */
  digits: number
  /** The fields a refusal may name (the others go above the buttons). */
  fields: readonly string[]
}) {
  const { t } = useI18n()
  const saved = ref<D | null>(null)
  const form = reactive(opts.empty)
  const { errors, clearError, showAtField } = useFieldErrors()
  const general = ref<CommandError | null>(null)

  /** Puts `doc` into the form (a saved one, or a starting point such as a built-in profile). */
  function fill(doc: D) {
    Object.assign(form, opts.toForm(doc))
    errors.value = {}
    general.value = null
  }
  function keep(doc: D) {
    saved.value = doc as UnwrapRef<D>
    fill(doc)
  }

  const { status, loadError, load, saving, saveWith } = useSettingsCard(async () => keep(await opts.read()))

  const dirty = computed(
    () => saved.value !== null && JSON.stringify(opts.toForm(saved.value as D)) !== JSON.stringify(form),
  )

  async function save() {
    if (saving.value) return
    const problems: Record<string, string> = {}
    const num = (field: string, text: string) => {
      const n = wholeNumber(text, opts.digits)
      if (n === null) problems[field] = t(`${opts.texts}.notInteger`)
      return n ?? 0
    }
    const doc = opts.toDoc(form as UnwrapRef<F>, num)
    errors.value = problems
    general.value = null
    if (Object.keys(problems).length > 0) return
    await saveWith(
      async () => {
        keep(await opts.write(doc))
        showSuccess(t(`${opts.texts}.saved`))
      },
      (err) => {
        if (!showAtField(err, opts.fields)) general.value = err
      },
    )
  }

  function reset() {
    if (saved.value !== null) fill(saved.value as D)
  }

  /** SettingsCard's props and events for this card (`v-bind` it). */
  const card = computed(() => ({
    texts: opts.texts,
    prefix: opts.prefix,
    status: status.value,
    loadError: loadError.value,
    saving: saving.value,
    general: general.value,
    dirty: dirty.value,
    onRetry: load,
    onReset: reset,
    onSave: save,
  }))

  /** FieldInput's props for the text `field`. */
  function textInput(field: string) {
    return { testid: `${opts.prefix}-${field}`, field, error: errors.value[field], errorTestid: `${opts.prefix}-field-error` }
  }

  /** FieldInput's props for the whole number `field` (`v-bind` it with its v-model). */
  function numberInput(field: string, unit: string) {
    return { ...textInput(field), id: `${opts.prefix}-${field}`, numeric: true, unit }
  }

  return { form, errors, clearError, fill, card, textInput, numberInput }
}
