// Small pure helpers of the rectification ledger's UI: hall time, tag colours, deadline tone.
import type { CaseDeadline, CaseState, CaseSummary, RatingLevel } from '../../api'

const HALL_TIME = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
})

/** An instant as hall time (UTC+8), `YYYY-MM-DD HH:mm`; the input itself if it does not parse. */
export function hallTime(rfc3339: string | null | undefined): string {
  if (!rfc3339) return ''
  const d = new Date(rfc3339)
  if (Number.isNaN(d.getTime())) return rfc3339
  const p = Object.fromEntries(HALL_TIME.formatToParts(d).map((x) => [x.type, x.value]))
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`
}

export type Tone = 'danger' | 'warning' | 'success' | 'info' | 'primary'

export function levelTone(level: RatingLevel): Tone {
  return level === 'very_dissatisfied' ? 'danger' : 'warning'
}

export function stateTone(state: CaseState): Tone {
  switch (state) {
    case 'new':
      return 'danger'
    case 'verifying':
    case 'rectifying':
      return 'warning'
    case 'rectified':
    case 'called_back':
      return 'primary'
    case 'closed':
      return 'success'
    case 'appealed':
    case 'appeal_upheld':
      return 'info'
  }
}

/** The deadline as a row shows it: `overdue` red, `dueSoon` amber, `unpublished` flagged. */
export type DeadlineTone = 'overdue' | 'dueSoon' | 'normal' | 'unpublished' | 'done'

export function deadlineTone(s: Pick<CaseSummary, 'deadline' | 'overdue' | 'dueSoon' | 'state'>): DeadlineTone {
  if (s.deadline.status === 'unpublished') return 'unpublished'
  if (s.overdue) return 'overdue'
  if (s.dueSoon) return 'dueSoon'
  if (s.state === 'closed' || s.state === 'appeal_upheld') return 'done'
  return 'normal'
}

export function deadlineDate(d: CaseDeadline): string | null {
  return d.status === 'known' ? d.date : null
}
