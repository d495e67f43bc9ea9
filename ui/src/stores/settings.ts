import { defineStore } from 'pinia'
import { ref } from 'vue'
import * as api from '../api'
import type { CommandError, Locale, Settings } from '../api'
import { applyLocale, DEFAULT_LOCALE } from '../i18n'

export const useSettingsStore = defineStore('settings', () => {
  const settings = ref<Settings | null>(null)
  const locale = ref<Locale>(DEFAULT_LOCALE)
  const loadError = ref<CommandError | null>(null)
  const switching = ref(false)

  function adopt(s: Settings) {
    settings.value = s
    locale.value = s.locale
    applyLocale(s.locale)
  }

  /** Reads the saved settings (locale, operator) from the shell. Never throws. */
  async function load(): Promise<void> {
    try {
      adopt(await api.getSettings())
      loadError.value = null
    } catch (e) {
      loadError.value = api.toCommandError(e)
      applyLocale(locale.value)
    }
  }

  /**
   * Asks the shell to switch first (so its messages follow), then switches the UI.
   * Rejects with a CommandError when the shell refuses; the UI then stays as it was.
   */
  async function changeLocale(next: Locale): Promise<void> {
    if (switching.value || next === locale.value) return
    switching.value = true
    try {
      adopt(await api.setLocale(next))
    } finally {
      switching.value = false
    }
  }

  return { settings, locale, loadError, switching, load, changeLocale }
})
