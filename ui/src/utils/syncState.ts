// What the header's sync indicator shows for a SyncStatus: one of five states, each with its colour.
// Pure functions (no Vue, no i18n), so the mapping is easy to read and to check.
import type { SyncStatus } from '../api/types.gen'

/**
 * - `synced`: online, nothing waiting to go up, nothing being fetched (green, 已同步);
 * - `syncing`: connecting, uploading, downloading a backlog or a "sync now" running (blue, 同步中…);
 * - `offline`: the server cannot be reached; edits wait on this PC (amber, 离线（N 项待同步）);
 * - `refused`: the server refuses this PC (another schema version, a bad token) (red, 被拒绝);
 * - `unknown`: no status could be read (grey).
 */
export type SyncIndicatorState = 'synced' | 'syncing' | 'offline' | 'refused' | 'unknown'

export type SyncTone = 'green' | 'blue' | 'amber' | 'red' | 'grey'

export const SYNC_TONE: Record<SyncIndicatorState, SyncTone> = {
  synced: 'green',
  syncing: 'blue',
  offline: 'amber',
  refused: 'red',
  unknown: 'grey',
}

/** The indicator's state; `running` is true while this UI's "sync now" is in flight. */
export function syncIndicatorState(status: SyncStatus | null, running = false): SyncIndicatorState {
  if (!status) return running ? 'syncing' : 'unknown'
  switch (status.connection) {
    case 'refused':
      return 'refused'
    case 'offline':
      return 'offline'
    case 'connecting':
      return 'syncing'
    case 'online':
      return running || status.pending > 0 || status.progress !== null ? 'syncing' : 'synced'
    default:
      return 'unknown'
  }
}

/** The i18n key (under `sync.state`) of the indicator's short label. */
export function syncLabelKey(status: SyncStatus | null, state: SyncIndicatorState): string {
  if (state === 'syncing' && (!status || status.connection === 'connecting')) return 'connecting'
  if (state === 'offline' && (status?.pending ?? 0) > 0) return 'offlinePending'
  return state
}

/** The i18n key (under `sync.explain`) of the drawer's sentence about the connection. */
export function syncExplainKey(status: SyncStatus | null, running = false): string {
  if (!status) return 'unknown'
  switch (status.connection) {
    case 'connecting':
      return 'connecting'
    case 'offline':
      return status.pending > 0 ? 'offlinePending' : 'offline'
    case 'refused':
      return 'refused'
    default:
      if (status.progress) return 'downloading'
      if (status.pending > 0 || running) return 'uploading'
      return 'online'
  }
}

/** Entities a rejected change can be about; anything else is shown as it came. */
export const SYNC_ENTITIES = ['window', 'department', 'matter', 'binding', 'staff', 'seat'] as const
export type SyncEntity = (typeof SYNC_ENTITIES)[number]

export function isSyncEntity(v: string): v is SyncEntity {
  return (SYNC_ENTITIES as readonly string[]).includes(v)
}

/** A rejection's reason, `code: message` as the server gave it, split (no code: all message). */
export function splitReason(reason: string): { code: string; message: string } {
  const m = /^([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+):\s*(.*)$/s.exec(reason.trim())
  return m ? { code: m[1], message: m[2] || m[1] } : { code: '', message: reason.trim() }
}

const pad = (n: number) => String(n).padStart(2, '0')

/**
 * A short local time for the tooltip: `10:42` today, `11-24 10:42` another day this year,
 * `2024-11-24 10:42` otherwise; null when the input does not parse.
 */
export function shortTime(rfc3339: string, now: Date = new Date()): string | null {
  const d = new Date(rfc3339)
  if (Number.isNaN(d.getTime())) return null
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`
  if (d.getFullYear() === now.getFullYear() && d.getMonth() === now.getMonth() && d.getDate() === now.getDate())
    return hm
  const md = `${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
  return d.getFullYear() === now.getFullYear() ? `${md} ${hm}` : `${d.getFullYear()}-${md} ${hm}`
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** An id this PC cannot name (a UUID) as its last 8 characters, e.g. `…ffff0002`; anything else as is. */
export function shortId(id: string): string {
  return UUID.test(id) ? `…${id.slice(-8)}` : id
}

/** Whether a text has CJK characters (a message the shell wrote in Chinese). */
export function hasCjk(s: string): boolean {
  return /[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]/.test(s)
}
