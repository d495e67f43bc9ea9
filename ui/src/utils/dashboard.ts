// Pure helpers of the dashboard (总览): durations, hall time, how old the picture is. No Vue.
import type { AlertLevel, Dashboard, SyncStatus } from '../api/types.gen'

/** The hall keeps UTC+8 all year (see core's `hall_date`): its clock, whatever this PC's zone. */
const HALL_OFFSET_MS = 8 * 3600 * 1000

const pad = (n: number) => String(n).padStart(2, '0')

/** `HH:mm` of an RFC 3339 instant on the hall's clock (UTC+8); null when it does not parse. */
export function hallTime(rfc3339: string | null | undefined): string | null {
  if (!rfc3339) return null
  const ms = Date.parse(rfc3339)
  if (Number.isNaN(ms)) return null
  const d = new Date(ms + HALL_OFFSET_MS)
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`
}

/** A duration split for wording: null when unknown. */
export type DurationParts =
  | { kind: 'under' }
  | { kind: 'min'; m: number }
  | { kind: 'hm'; h: number; m: number }

export function durationParts(secs: number | null | undefined): DurationParts | null {
  if (secs === null || secs === undefined || !Number.isFinite(secs)) return null
  const s = Math.max(0, Math.floor(secs))
  if (s < 60) return { kind: 'under' }
  const totalMin = Math.floor(s / 60)
  if (totalMin < 60) return { kind: 'min', m: totalMin }
  return { kind: 'hm', h: Math.floor(totalMin / 60), m: totalMin % 60 }
}

/** How the dashboard's data stands: live, cut off from the server, or quiet for too long. */
export type Freshness =
  | { state: 'live' }
  /** Sync is offline (or refused): the picture is as of `asOf`, `ageMin` minutes ago. */
  | { state: 'offline'; asOf: string | null; ageMin: number | null }
  /** Online, people are waiting, yet nothing was issued or called for `ageMin` minutes. */
  | { state: 'stale'; asOf: string; ageMin: number }

/** Nothing issued or called for this long while people wait is worth saying. */
export const STALE_AFTER_MIN = 10

function later(a: string | null | undefined, b: string | null | undefined): string | null {
  const ta = a ? Date.parse(a) : NaN
  const tb = b ? Date.parse(b) : NaN
  if (Number.isNaN(ta)) return Number.isNaN(tb) ? null : (b as string)
  if (Number.isNaN(tb)) return a as string
  return ta >= tb ? (a as string) : (b as string)
}

function minutesSince(at: string | null, now: number): number | null {
  if (!at) return null
  const t = Date.parse(at)
  if (Number.isNaN(t)) return null
  return Math.max(0, Math.floor((now - t) / 60000))
}

/**
 * Offline when sync says so: the data is as of the last contact with the server (the last sync, or
 * the newest ticket event if that is later). Stale when online but people wait and no ticket event
 * arrived for {@link STALE_AFTER_MIN} minutes. An empty, quiet hall is simply live.
 */
export function freshness(d: Dashboard | null, sync: SyncStatus | null, now: number): Freshness {
  if (!d) return { state: 'live' }
  if (sync && (sync.connection === 'offline' || sync.connection === 'refused')) {
    const asOf = later(sync.lastSyncAt, d.lastEventAt)
    return { state: 'offline', asOf, ageMin: minutesSince(asOf, now) }
  }
  if (d.lastEventAt && d.totals.waiting > 0) {
    const age = minutesSince(d.lastEventAt, now)
    if (age !== null && age >= STALE_AFTER_MIN) return { state: 'stale', asOf: d.lastEventAt, ageMin: age }
  }
  return { state: 'live' }
}

/** The order a list of alerts is read in: alarms first, then the most people waiting. */
export function levelRank(l: AlertLevel): number {
  return l === 'alarm' ? 2 : l === 'warning' ? 1 : 0
}
