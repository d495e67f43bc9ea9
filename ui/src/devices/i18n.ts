// The device pages' i18n: the desktop's set-up (vue-i18n, composition API, its locales and
// default) over the devices' own messages, so a kiosk does not load the desktop's sentences.
import { createI18n } from 'vue-i18n'
import type { Locale } from '../api/types.gen'
import { deviceMessages, type DeviceMessages } from './messages'

export const LOCALES: readonly Locale[] = ['zh-CN', 'en-US']
export const DEFAULT_LOCALE: Locale = 'zh-CN'

/** `?lang=en-US` picks the language (a display set up for visitors); zh-CN otherwise. */
export function localeFrom(search: string): Locale {
  const lang = new URLSearchParams(search).get('lang')
  return (LOCALES as readonly string[]).includes(lang ?? '') ? (lang as Locale) : DEFAULT_LOCALE
}

export const i18n = createI18n<[DeviceMessages], Locale, false>({
  legacy: false,
  locale: DEFAULT_LOCALE,
  fallbackLocale: DEFAULT_LOCALE,
  messages: deviceMessages,
})

export function setLocale(locale: Locale): void {
  i18n.global.locale.value = locale
  document.documentElement.lang = locale
}
