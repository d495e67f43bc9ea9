import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import * as api from '../api'
import { latestRead, type LoadStatus } from './requests'
import type { CommandError, ReportDimension, ReportPeriodInput, ReportPeriodKind, ReportTable } from '../api'

export const PERIOD_KINDS: ReportPeriodKind[] = ['day', 'week', 'month', 'quarter', 'year', 'custom']
export const DIMENSIONS: ReportDimension[] = ['hall', 'window', 'staff', 'matter', 'department']

/** Today in the hall's time zone (UTC+8), `YYYY-MM-DD`. */
export function hallToday(now: Date = new Date()): string {
  return new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10)
}

/** What the period picker holds: one anchor date (day/week/month/quarter/year) or a range. */
export interface PeriodPick {
  kind: ReportPeriodKind
  /** `YYYY-MM-DD`; for month/quarter/year any day inside it. */
  date: string
  start: string
  end: string
}

/** The command's period from the picker's state. */
export function periodInput(p: PeriodPick): ReportPeriodInput {
  const [y, m] = p.date.split('-').map(Number)
  switch (p.kind) {
    case 'day':
    case 'week':
      return { kind: p.kind, date: p.date }
    case 'month':
      return { kind: 'month', year: y, month: m }
    case 'quarter':
      return { kind: 'quarter', year: y, quarter: Math.floor((m - 1) / 3) + 1 }
    case 'year':
      return { kind: 'year', year: y }
    case 'custom':
      return { kind: 'custom', start: p.start, end: p.end }
  }
}

/**
 * The Reports page: the period and dimension picked, the table the shell computed for them, and
 * the XLSX export. A newer request supersedes an older one still in flight.
 */
export const useReportsStore = defineStore('reports', () => {
  const today = hallToday()
  const pick = ref<PeriodPick>({ kind: 'day', date: today, start: today.slice(0, 8) + '01', end: today })
  const dimension = ref<ReportDimension>('hall')
  const table = ref<ReportTable | null>(null)
  const status = ref<LoadStatus>('idle')
  const error = ref<CommandError | null>(null)
  const exporting = ref(false)

  const rows = computed(() => table.value?.rows ?? [])
  const empty = computed(() => status.value === 'ready' && rows.value.length === 0)

  const load = latestRead(
    status,
    error,
    'always',
    () => api.getReport(periodInput(pick.value), dimension.value),
    (t) => {
      table.value = t
    },
  )

  async function exportTo(path: string): Promise<string> {
    exporting.value = true
    try {
      return await api.exportReportXlsx(periodInput(pick.value), dimension.value, path)
    } finally {
      exporting.value = false
    }
  }

  return { pick, dimension, table, rows, status, error, empty, exporting, load, exportTo }
})
