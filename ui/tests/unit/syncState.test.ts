import { describe, expect, it } from 'vitest'
import type { SyncStatus } from '../../src/api'
import {
  hasCjk,
  isSyncEntity,
  shortId,
  shortTime,
  splitReason,
  syncExplainKey,
  syncIndicatorState,
  syncLabelKey,
} from '../../src/utils/syncState'

const status = (extra: Partial<SyncStatus> = {}): SyncStatus => ({
  serverUrl: 'http://127.0.0.1:8787',
  embedded: true,
  connection: 'online',
  pending: 0,
  rejected: [],
  lastSyncAt: null,
  lastError: null,
  progress: null,
  eventsCursor: 0,
  changesCursor: 0,
  ...extra,
})

describe('syncIndicatorState', () => {
  it('is synced only online with nothing pending, fetched or running', () => {
    expect(syncIndicatorState(status())).toBe('synced')
    expect(syncIndicatorState(status({ pending: 2 }))).toBe('syncing')
    expect(syncIndicatorState(status({ progress: { done: 1, total: 9 } }))).toBe('syncing')
    expect(syncIndicatorState(status(), true)).toBe('syncing')
  })

  it('maps the other connections and a missing status', () => {
    expect(syncIndicatorState(status({ connection: 'connecting' }))).toBe('syncing')
    expect(syncIndicatorState(status({ connection: 'offline', pending: 3 }))).toBe('offline')
    expect(syncIndicatorState(status({ connection: 'refused' }), true)).toBe('refused')
    expect(syncIndicatorState(null)).toBe('unknown')
    expect(syncIndicatorState(null, true)).toBe('syncing')
  })
})

describe('sync labels', () => {
  it('says connecting while syncing without a connection, and counts what waits offline', () => {
    expect(syncLabelKey(null, 'syncing')).toBe('connecting')
    expect(syncLabelKey(status({ connection: 'connecting' }), 'syncing')).toBe('connecting')
    expect(syncLabelKey(status({ pending: 1 }), 'syncing')).toBe('syncing')
    expect(syncLabelKey(status({ connection: 'offline', pending: 4 }), 'offline')).toBe('offlinePending')
    expect(syncLabelKey(status({ connection: 'offline' }), 'offline')).toBe('offline')
  })

  it('explains downloads before uploads when online', () => {
    const progress = { done: 1, total: 9 }
    expect(syncExplainKey(status({ progress, pending: 3 }))).toBe('downloading')
    expect(syncExplainKey(status({ pending: 3 }))).toBe('uploading')
    expect(syncExplainKey(status(), true)).toBe('uploading')
    expect(syncExplainKey(status())).toBe('online')
    expect(syncExplainKey(status({ connection: 'offline', pending: 1 }))).toBe('offlinePending')
    expect(syncExplainKey(null)).toBe('unknown')
  })
})

describe('rejected changes', () => {
  it('splits a dotted code from its message, and keeps a text without one whole', () => {
    expect(splitReason(' window.number_taken: A01 exists ')).toEqual({ code: 'window.number_taken', message: 'A01 exists' })
    expect(splitReason('staff.unknown:')).toEqual({ code: 'staff.unknown', message: 'staff.unknown' })
    expect(splitReason('timeout: no answer')).toEqual({ code: '', message: 'timeout: no answer' })
  })

  it('knows the entities it can name', () => {
    expect(isSyncEntity('binding')).toBe(true)
    expect(isSyncEntity('ticket')).toBe(false)
  })

  it('shortens UUIDs only', () => {
    expect(shortId('00000000-0000-0000-0000-0000ffff0002')).toBe('…ffff0002')
    expect(shortId('w1')).toBe('w1')
  })

  it('detects Chinese text', () => {
    expect(hasCjk('窗口已存在')).toBe(true)
    expect(hasCjk('window exists')).toBe(false)
  })
})

describe('shortTime', () => {
  const now = new Date(2026, 5, 15, 12, 0, 0)
  it('drops the date today and the year this year', () => {
    expect(shortTime(new Date(2026, 5, 15, 9, 5).toISOString(), now)).toBe('09:05')
    expect(shortTime(new Date(2026, 0, 2, 23, 59).toISOString(), now)).toBe('01-02 23:59')
    expect(shortTime(new Date(2025, 11, 31, 8, 0).toISOString(), now)).toBe('2025-12-31 08:00')
  })
  it('is null for what does not parse', () => {
    expect(shortTime('yesterday', now)).toBeNull()
  })
})
