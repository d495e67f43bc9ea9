import { describe, expect, it } from 'vitest'
import type { Dashboard, SyncStatus } from '../../src/api'
import { durationParts, freshness, hallTime, levelRank, STALE_AFTER_MIN } from '../../src/utils/dashboard'

const NOW = Date.parse('2026-03-02T04:00:00Z')
const minutesAgo = (m: number) => new Date(NOW - m * 60000).toISOString()

const dashboard = (lastEventAt: string | null, waiting: number): Dashboard =>
  ({ lastEventAt, totals: { waiting } }) as unknown as Dashboard
const sync = (connection: SyncStatus['connection'], lastSyncAt: string | null = null): SyncStatus =>
  ({ connection, lastSyncAt }) as SyncStatus

describe('hallTime', () => {
  it('reads the hall clock (UTC+8), whatever the zone of the instant', () => {
    expect(hallTime('2026-03-01T23:30:00Z')).toBe('07:30')
    expect(hallTime('2026-03-02T09:05:00+08:00')).toBe('09:05')
  })
  it('is null for nothing or what does not parse', () => {
    expect(hallTime(null)).toBeNull()
    expect(hallTime('')).toBeNull()
    expect(hallTime('soon')).toBeNull()
  })
})

describe('durationParts', () => {
  it('splits seconds at the minute and the hour', () => {
    expect(durationParts(59.9)).toEqual({ kind: 'under' })
    expect(durationParts(-5)).toEqual({ kind: 'under' })
    expect(durationParts(60)).toEqual({ kind: 'min', m: 1 })
    expect(durationParts(3599)).toEqual({ kind: 'min', m: 59 })
    expect(durationParts(3600 + 125)).toEqual({ kind: 'hm', h: 1, m: 2 })
  })
  it('is null when unknown', () => {
    expect(durationParts(null)).toBeNull()
    expect(durationParts(undefined)).toBeNull()
    expect(durationParts(Number.NaN)).toBeNull()
  })
})

describe('freshness', () => {
  it('is offline as of the later of the last sync and the newest event', () => {
    const f = freshness(dashboard(minutesAgo(3), 0), sync('offline', minutesAgo(7)), NOW)
    expect(f).toEqual({ state: 'offline', asOf: minutesAgo(3), ageMin: 3 })
    const g = freshness(dashboard(null, 0), sync('refused', minutesAgo(7)), NOW)
    expect(g).toEqual({ state: 'offline', asOf: minutesAgo(7), ageMin: 7 })
    expect(freshness(dashboard(null, 0), sync('offline'), NOW)).toEqual({ state: 'offline', asOf: null, ageMin: null })
  })

  it('is stale only online, with people waiting and no event for the threshold', () => {
    expect(freshness(dashboard(minutesAgo(STALE_AFTER_MIN), 4), sync('online'), NOW)).toEqual({
      state: 'stale',
      asOf: minutesAgo(STALE_AFTER_MIN),
      ageMin: STALE_AFTER_MIN,
    })
    expect(freshness(dashboard(minutesAgo(STALE_AFTER_MIN - 1), 4), sync('online'), NOW)).toEqual({ state: 'live' })
    // An empty, quiet hall is simply live.
    expect(freshness(dashboard(minutesAgo(60), 0), sync('online'), NOW)).toEqual({ state: 'live' })
    expect(freshness(null, sync('offline'), NOW)).toEqual({ state: 'live' })
  })
})

describe('levelRank', () => {
  it('orders alarms before warnings before normal', () => {
    const sorted = (['normal', 'alarm', 'warning'] as const).slice().sort((a, b) => levelRank(b) - levelRank(a))
    expect(sorted).toEqual(['alarm', 'warning', 'normal'])
  })
})
