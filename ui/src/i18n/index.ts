import { createI18n } from 'vue-i18n'
import zhCN, { type MessageSchema } from './zh-CN'
import enUS from './en-US'
import type { Locale } from '../api/types.gen'

export const LOCALES: readonly Locale[] = ['zh-CN', 'en-US']
export const DEFAULT_LOCALE: Locale = 'zh-CN'

export const i18n = createI18n<[MessageSchema], Locale, false>({
  legacy: false,
  locale: DEFAULT_LOCALE,
  fallbackLocale: DEFAULT_LOCALE,
  messages: {
    'zh-CN': zhCN,
    'en-US': enUS,
  },
})

export type { MessageSchema }

/** Each language is named in itself, whatever the current locale. */
export const LOCALE_NAMES: Record<Locale, string> = {
  'zh-CN': '简体中文',
  'en-US': 'English',
}

/** Switches vue-i18n and the document; Element Plus follows through App.vue's config provider. */
export function applyLocale(locale: Locale): void {
  i18n.global.locale.value = locale
  document.documentElement.lang = locale
  document.title = i18n.global.t('app.name')
}

export function isLocale(v: unknown): v is Locale {
  return typeof v === 'string' && (LOCALES as readonly string[]).includes(v)
}
