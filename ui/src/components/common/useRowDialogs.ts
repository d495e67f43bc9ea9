import { ref, type Ref } from 'vue'

/**
 * The add/edit dialog of a list's rows: whether it is open and which row it edits (null: a new
 * one). The list page opens it; the dialog itself (a FormDialog) saves and closes.
 */
export function useEditDialog<T>() {
  const open = ref(false)
  const editing = ref<T | null>(null) as Ref<T | null>
  function openCreate() {
    editing.value = null
    open.value = true
  }
  function openEdit(row: T) {
    editing.value = row
    open.value = true
  }
  return { open, editing, openCreate, openEdit }
}

/**
 * A row's deletion (or another confirmed action on it) behind a ConfirmDialog: `ask` opens it for
 * a row; `confirm` runs `remove` one at a time, closes the dialog whether it worked or not, then
 * says so (`done`, or `failed` with the refusal, which explains why the row stays and what to do
 * instead). With `keepOpenOnFail` a refusal leaves the dialog open, to try again or cancel.
 */
export function useDeleteConfirm<T>(opts: {
  remove: (row: T) => Promise<unknown>
  done: (row: T) => void
  failed: (e: unknown) => void
  keepOpenOnFail?: boolean
}) {
  const open = ref(false)
  const target = ref<T | null>(null) as Ref<T | null>
  const busy = ref(false)
  function ask(row: T) {
    target.value = row
    open.value = true
  }
  async function confirm() {
    const row = target.value
    if (row === null || busy.value) return
    busy.value = true
    try {
      await opts.remove(row)
      open.value = false
      opts.done(row)
    } catch (e) {
      if (!opts.keepOpenOnFail) open.value = false
      opts.failed(e)
    } finally {
      busy.value = false
    }
  }
  return { open, target, busy, ask, confirm }
}
