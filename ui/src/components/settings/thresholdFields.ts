// Which input of the threshold settings a refusal's `field` names. The form's own keys are
// `windowDefault.<key>`, `matterDefault.<key>`, `windows.<index>.<key>`, `matters.<index>.<key>`
// and `quietMin`; the shell may name an override by its index or by its subject's id, in camelCase
// or snake_case, with or without a `thresholds` step (`windows[2].thresholds.waiting_alarm`).
import type { ThresholdSettings } from '../../api'

export const KEYS = ['waitingWarning', 'waitingAlarm', 'waitWarningMin', 'waitAlarmMin'] as const
export type ThresholdKey = (typeof KEYS)[number]

const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())
const isKey = (s: string): s is ThresholdKey => (KEYS as readonly string[]).includes(s)

/** The form key of the input a refusal is about, or null when it names none (a general error). */
export function fieldKey(field: string | null | undefined, sent: ThresholdSettings): string | null {
  if (!field) return null
  const parts = field
    .split(/[.[\]/]+/)
    .filter((p) => p !== '' && p !== 'thresholds')
    .map((p) => (/^[0-9a-f-]{8,}$/i.test(p) ? p : camel(p)))
  const [head, second, third] = parts
  if (parts.length === 1 && head === 'quietMin') return 'quietMin'
  if ((head === 'windowDefault' || head === 'matterDefault') && second && isKey(second)) return `${head}.${second}`
  if ((head === 'windows' || head === 'matters') && second !== undefined && third && isKey(third)) {
    let index = /^\d+$/.test(second) ? Number(second) : sent[head].findIndex((o) => o.subjectId === second)
    if (index < 0 || index >= sent[head].length) index = -1
    return index < 0 ? null : `${head}.${index}.${third}`
  }
  return null
}
