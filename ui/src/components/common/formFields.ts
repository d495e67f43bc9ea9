// What the text fields of one dialog's form share (FormTextField.vue): the i18n section their
// labels and placeholders come from, the test id prefix, which field the refusal is about, where
// its message goes and Enter submitting. The dialog provides it once; each field then is only its
// key and its model.
import { inject, provide, type InjectionKey, type Ref } from 'vue'

export interface FormFields {
  /** The i18n section: a field's label is `<texts>.<field>`, its placeholder `<texts>.<field>Placeholder`. */
  texts: string
  /** The form's test id: a field's input is `<testid>-<field in kebab-case>`. */
  testid: string
  /** The field the dialog's refusal is about (useDialogForm's `errorField`). */
  errorField: Ref<string | null>
  /** The refusal said under a field ('' for none); unset when the dialog's alert says it. */
  message?: (field: string) => string
  /** The test id of a message under a field. */
  errorTestid?: string
  /** Enter in a field (useDialogForm's `onEnter`). */
  onEnter: (e: Event) => void
}

const KEY: InjectionKey<FormFields> = Symbol('formFields')

/** Gives this dialog's form fields what they share. */
export function provideFormFields(fields: FormFields): void {
  provide(KEY, fields)
}

/** What the dialog around this field provided; a field outside one is a programming error. */
export function useFormFields(): FormFields {
  const fields = inject(KEY, null)
  if (!fields) throw new Error('FormTextField outside a dialog that calls provideFormFields')
  return fields
}

/** A field's test id: the form's, then the field's key in kebab-case (`employeeNo` → `employee-no`). */
export function fieldTestid(testid: string, field: string): string {
  return `${testid}-${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`
}
