import { describe, expect, it } from 'vitest'
import type { ReportRow } from '../../src/api'
import { cellText, DASH, REPORT_COLUMNS } from '../../src/components/reports/reportColumns'

const column = (label: string) => {
  const c = REPORT_COLUMNS.flatMap((g) => g.columns).find((x) => x.label === label)
  if (!c) throw new Error(label)
  return c
}
const row = {
  issued: 12,
  avgWaitSecs: 90,
  p90WaitSecs: null,
  ratingRate: 0.1234,
  goodRate: null,
  levels: { verySatisfied: 3, satisfied: 0, neutral: 0, dissatisfied: 0, veryDissatisfied: 0 },
} as unknown as ReportRow
const duration = (secs: number) => `${secs}s`

describe('report columns', () => {
  it('lists the figures in their groups, once each', () => {
    expect(REPORT_COLUMNS.map((g) => g.group)).toEqual(['queue', 'ratings', 'levels', 'cases'])
    const labels = REPORT_COLUMNS.flatMap((g) => g.columns.map((c) => c.label))
    expect(new Set(labels).size).toBe(labels.length)
    expect(labels).toHaveLength(20)
  })

  it('writes counts, rates, durations and a dash for no figure', () => {
    expect(cellText(column('issued'), row, duration)).toBe('12')
    expect(cellText(column('verySatisfied'), row, duration)).toBe('3')
    expect(cellText(column('ratingRate'), row, duration)).toBe('12.3%')
    expect(cellText(column('goodRate'), row, duration)).toBe(DASH)
    expect(cellText(column('avgWait'), row, duration)).toBe('90s')
    expect(cellText(column('p90Wait'), row, duration)).toBe(DASH)
  })
})
