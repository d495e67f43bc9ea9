import type { ReportRow } from '../../api'

/** How a column writes its figure: as it is, as a duration (seconds or minutes), as a percentage. */
export type ColumnFormat = 'count' | 'duration' | 'rate'

/** One figure of the report table: its label (`reports.col.<label>`), width, format and value. */
export interface ReportColumn {
  label: string
  width: number
  format: ColumnFormat
  value: (row: ReportRow) => number | null
  /** The cell's test id, for the figures the tests read. */
  testid?: string
}

/** The report table's figures under their group's heading (`reports.groups.<group>`). */
export interface ReportColumnGroup {
  group: 'queue' | 'ratings' | 'levels' | 'cases'
  columns: ReportColumn[]
}

const col = (
  label: string,
  width: number,
  format: ColumnFormat,
  value: (row: ReportRow) => number | null,
  testid?: string,
): ReportColumn => ({ label, width, format, value, testid })

/** The queue's figures, the ratings', the per-level counts and the poor-rating cases' rates. */
export const REPORT_COLUMNS: readonly ReportColumnGroup[] = [
  {
    group: 'queue',
    columns: [
      col('issued', 64, 'count', (r) => r.issued, 'report-issued'),
      col('served', 64, 'count', (r) => r.served),
      col('noShows', 64, 'count', (r) => r.noShows),
      col('transfers', 64, 'count', (r) => r.transfers),
      col('avgWait', 84, 'duration', (r) => r.avgWaitSecs),
      col('p90Wait', 84, 'duration', (r) => r.p90WaitSecs),
      col('avgService', 84, 'duration', (r) => r.avgServiceSecs),
      col('p90Service', 84, 'duration', (r) => r.p90ServiceSecs),
    ],
  },
  {
    group: 'ratings',
    columns: [
      col('ratings', 64, 'count', (r) => r.ratings),
      col('ratingRate', 90, 'rate', (r) => r.ratingRate),
      col('goodRate', 76, 'rate', (r) => r.goodRate),
      col('poorRate', 76, 'rate', (r) => r.poorRate),
    ],
  },
  {
    group: 'levels',
    columns: [
      col('verySatisfied', 76, 'count', (r) => r.levels.verySatisfied),
      col('satisfied', 64, 'count', (r) => r.levels.satisfied),
      col('neutral', 76, 'count', (r) => r.levels.neutral),
      col('dissatisfied', 76, 'count', (r) => r.levels.dissatisfied),
      col('veryDissatisfied', 88, 'count', (r) => r.levels.veryDissatisfied),
    ],
  },
  {
    group: 'cases',
    columns: [
      col('rectificationRate', 76, 'rate', (r) => r.rectificationRate),
      col('onTimeRate', 90, 'rate', (r) => r.onTimeRectificationRate),
      col('callBackRate', 76, 'rate', (r) => r.callBackRate),
    ],
  },
]

/** What a cell without a figure shows (a rate without a denominator, a wait nobody had). */
export const DASH = '—'

/**
 * A cell's text: a count as it is, a rate as a percentage with one decimal, a duration through
 * `duration` (the words are the language's); no figure, a dash.
 */
export function cellText(c: ReportColumn, row: ReportRow, duration: (secs: number) => string): string {
  const v = c.value(row)
  if (v === null) return DASH
  if (c.format === 'rate') return `${(v * 100).toFixed(1)}%`
  if (c.format === 'duration') return duration(v)
  return String(v)
}
