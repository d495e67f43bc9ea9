// The kiosk's pure rules: search by hanzi or pinyin initials, the idle timer, what a refusal
// says, the phone number's mask. No DOM, no fetch: unit-tested in tests/unit/devices.
import { pinyin } from 'pinyin-pro'
import type { KioskDepartment, KioskMatter } from '../../api/types.gen'

/** Lower-case pinyin initials of a name: 护照 → "hz"; letters and digits in it are kept. */
export function initialsOf(name: string): string {
  // pinyin-pro gives one entry per character; non-hanzi come back as themselves.
  const parts = pinyin(name, { pattern: 'first', toneType: 'none', type: 'array' })
  return parts
    .join('')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '')
}

export interface SearchEntry {
  matter: KioskMatter
  departmentName: string
  initials: string
}

/** The search index, built once per home answer (pinyin-pro costs a few µs a name). */
export function searchIndex(departments: KioskDepartment[]): SearchEntry[] {
  return departments.flatMap((d) =>
    d.matters.map((m) => ({ matter: m, departmentName: d.name, initials: initialsOf(m.name) })),
  )
}

/**
 * Matters whose name contains the query (hanzi), or whose initials contain it (Latin letters,
 * case ignored). Initials that start with the query come first, then by name length, so "hz"
 * puts 护照 before 户籍证明转移.
 */
export function search(index: SearchEntry[], query: string): SearchEntry[] {
  const q = query.trim().toLowerCase()
  if (!q) return []
  const latin = /^[a-z0-9]+$/.test(q)
  const hits = index.filter((e) => (latin ? e.initials.includes(q) : e.matter.name.includes(query.trim())))
  const rank = (e: SearchEntry) => (latin ? (e.initials.startsWith(q) ? 0 : 1) : e.matter.name.startsWith(query.trim()) ? 0 : 1)
  return hits.sort((a, b) => rank(a) - rank(b) || a.matter.name.length - b.matter.name.length)
}

/** The home screen's large buttons: the server's top matter ids, resolved, unknown ones dropped. */
export function topMatters(departments: KioskDepartment[], ids: string[]): KioskMatter[] {
  const all = new Map(departments.flatMap((d) => d.matters.map((m) => [m.id, m] as const)))
  return ids.flatMap((id) => {
    const m = all.get(id)
    return m ? [m] : []
  })
}

/** A mainland mobile number as the server takes it: 11 digits starting 13–19. */
export function validMobile(phone: string): boolean {
  return /^1[3-9]\d{9}$/.test(phone)
}

/** What the screen shows of a number being typed: the middle four masked, as receipts do. */
export function maskPhone(phone: string): string {
  const d = phone.replace(/\D/g, '')
  const masked = d
    .split('')
    .map((c, i) => (i >= 3 && i < 7 ? '•' : c))
    .join('')
  // Grouped 3-4-4 so a person can check what they typed.
  return [masked.slice(0, 3), masked.slice(3, 7), masked.slice(7)].filter(Boolean).join(' ')
}

/** Appointment codes: 8 of digits and capitals without 0 O 1 I L (the server's alphabet). */
export const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ'
export const CODE_LENGTH = 8

export { typeKey } from '../keys'

/** The kind of message a refusal gets; `hallClosed` when the hall has no open window at all. */
export type Refusal =
  | 'hallClosed'
  | 'noOpenWindow'
  | 'noWindow'
  | 'retired'
  | 'unknownMatter'
  | 'phoneInvalid'
  | 'codeInvalid'
  | 'codeNotFound'
  | 'tooEarly'
  | 'tooLate'
  | 'checkedIn'
  | 'cancelled'
  | 'notConfigured'
  | 'network'
  | 'other'

/** Maps the server's `{code}` (or a network failure: code null) to what the kiosk says. */
export function refusalOf(code: string | null, hallOpen: boolean): Refusal {
  switch (code) {
    case null:
      return 'network'
    case 'queue.no_open_window':
      return hallOpen ? 'noOpenWindow' : 'hallClosed'
    case 'queue.no_window':
      return 'noWindow'
    case 'queue.matter_retired':
    case 'appointment.matter_retired':
      return 'retired'
    case 'queue.unknown_matter':
    case 'appointment.matter_unknown':
      return 'unknownMatter'
    case 'ticket.phone_invalid':
      return 'phoneInvalid'
    case 'appointment.code_invalid':
      return 'codeInvalid'
    case 'appointment.not_found':
      return 'codeNotFound'
    case 'appointment.too_early':
      return 'tooEarly'
    case 'appointment.too_late':
    case 'appointment.no_show':
      return 'tooLate'
    case 'appointment.checked_in':
      return 'checkedIn'
    case 'appointment.cancelled':
      return 'cancelled'
    case 'hall.not_configured':
      return 'notConfigured'
    default:
      return 'other'
  }
}

// The idle timer is shared with the rating pad (../idle.ts, apart from pinyin-pro's weight).
export { IdleTimer } from '../idle'

/** The kiosk goes home after this long without a touch (issue 18, as JackQChen's pages do). */
export const IDLE_MS = 60_000
