import { ElMessage } from 'element-plus'
import { toCommandError } from '../api'

/** Errors outside a dialog: an Element Plus error message with the command's own text. */
export function showError(e: unknown): void {
  ElMessage({
    type: 'error',
    message: toCommandError(e).message,
    showClose: true,
    duration: 6000,
    grouping: true,
  })
}

export function showSuccess(message: string): void {
  ElMessage({ type: 'success', message, duration: 2500, grouping: true })
}
