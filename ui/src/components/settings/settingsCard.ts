// The script side of a settings card (SettingsCard.vue): its values read on mounting (with the
// status the card shows) and a save that keeps the button busy and hands a refusal back.
import { onMounted, ref } from 'vue'
import { toCommandError } from '../../api'
import type { CommandError } from '../../api'

export type CardStatus = 'loading' | 'ready' | 'error'

export function useSettingsCard(read: () => Promise<void>) {
  const status = ref<CardStatus>('loading')
  const loadError = ref<CommandError | null>(null)
  const saving = ref(false)

  /** Reads the card's values; a failure shows the load error (with its retry) instead of the form. */
  async function load() {
    status.value = 'loading'
    try {
      await read()
      status.value = 'ready'
    } catch (e) {
      loadError.value = toCommandError(e)
      status.value = 'error'
    }
  }
  onMounted(load)

  /** Writes with the save button busy; a refusal goes to `refused` (the card shows it). */
  async function saveWith(write: () => Promise<void>, refused: (err: CommandError) => void) {
    saving.value = true
    try {
      await write()
    } catch (e) {
      refused(toCommandError(e))
    } finally {
      saving.value = false
    }
  }

  return { status, loadError, load, saving, saveWith }
}

/** A field's text as a whole number of at most `digits` digits; null when it is not one. */
export function wholeNumber(text: string, digits: number): number | null {
  const v = text.trim()
  return new RegExp(`^\\d{1,${digits}}$`).test(v) ? Number(v) : null
}
