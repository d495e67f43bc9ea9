// Pairing once: the device token a page got from `POST /api/v1/devices/pair`, kept in
// localStorage per page (a browser may hold a kiosk tab and a pad tab), and the pairing code a
// URL or the desktop's QR text carries.
import type { Device, DeviceKind } from '../api/types.gen'

export type PageName = 'kiosk' | 'terminal' | 'pad' | 'display'

/** The device kind each page pairs as. */
export const PAGE_KIND: Record<PageName, DeviceKind> = {
  kiosk: 'kiosk',
  terminal: 'caller',
  pad: 'rating_pad',
  display: 'display',
}

export interface Paired {
  token: string
  device: Device
}

export interface KeyValueStore {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
  removeItem(key: string): void
}

const key = (page: PageName) => `hallkeeper.device.${page}`

export function loadPaired(store: KeyValueStore, page: PageName): Paired | null {
  const raw = store.getItem(key(page))
  if (!raw) return null
  try {
    const v = JSON.parse(raw) as Paired
    return typeof v?.token === 'string' && v.device?.kind === PAGE_KIND[page] ? v : null
  } catch {
    return null
  }
}

export function savePaired(store: KeyValueStore, page: PageName, paired: Paired): void {
  store.setItem(key(page), JSON.stringify(paired))
}

export function forgetPaired(store: KeyValueStore, page: PageName): void {
  store.removeItem(key(page))
}

/**
 * The 8-digit code in `?code=` of the page's URL, or in the desktop's QR text
 * `hallkeeper-pair:<base>?code=<8 digits>`; null when there is none or it is malformed.
 */
export function codeFrom(text: string): string | null {
  const q = text.indexOf('?')
  if (q < 0) return null
  const code = new URLSearchParams(text.slice(q + 1)).get('code')?.replace(/\s/g, '') ?? ''
  return /^\d{8}$/.test(code) ? code : null
}

/** The page a path names (`/kiosk`, `/terminal`, `/pad`, `/display`); `/q/…` is the follow page. */
export function pageOf(pathname: string): PageName | 'follow' | null {
  const first = pathname.split('/').filter(Boolean)[0] ?? ''
  if (first === 'q') return 'follow'
  return (['kiosk', 'terminal', 'pad', 'display'] as const).find((p) => p === first) ?? null
}
