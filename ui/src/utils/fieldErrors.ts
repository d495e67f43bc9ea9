import { ref } from 'vue'
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
