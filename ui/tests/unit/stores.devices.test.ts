import { describe, expect, it, vi } from 'vitest'

vi.mock('@tauri-apps/api/core', () => ({ invoke: vi.fn() }))
import { invoke } from '@tauri-apps/api/core'
import type { Device, PairingShown } from '../../src/api'
import { ONLINE_WITHIN_MS, presence, secondsLeft, useDevicesStore } from '../../src/stores/devices'
import { answer, callsOf, expectKeptOnRefusedReload, freshStoresEach, refuses } from './helpers'

const invokeMock = vi.mocked(invoke)
const calls = (command: string) => callsOf(invokeMock, command)
freshStoresEach(invokeMock)

function device(id: string, over: Partial<Device> = {}): Device {
  return {
    id,
    hallId: 'local',
    kind: 'kiosk',
    name: `${id} 取号机`,
    windowId: null,
    createdAt: '2026-12-07T10:00:00.000Z',
    revokedAt: null,
    lastSeenAt: null,
    ...over,
  }
}

function shown(d: Device, code = '40718263'): PairingShown {
  return {
    pairing: { device: d, code, expiresAt: '2026-12-07T10:10:00.000Z' },
    qrText: `hallkeeper-pair:http://127.0.0.1:8720?code=${code}`,
    qrSvg: '<svg></svg>',
  }
}

describe('devices store', () => {
  it('lists the devices, and keeps them on screen when a reload fails', async () => {
    answer(invokeMock, { list_devices: () => [device('a'), device('b')] })
    const store = useDevicesStore()
    await store.load()
    expect(store.status).toBe('ready')
    expect(store.items.map((d) => d.id)).toEqual(['a', 'b'])
    await expectKeptOnRefusedReload(invokeMock, store, 'list_devices', 2)
  })

  it('is in error when the first load fails', async () => {
    answer(invokeMock, {
      list_devices: refuses('server.not_connected', '未连接'),
    })
    const store = useDevicesStore()
    await store.load()
    expect(store.status).toBe('error')
  })

  it('adds a device and shows its code; a window is sent only for callers and rating pads', async () => {
    const sent: Record<string, unknown>[] = []
    answer(invokeMock, {
      add_device: (args) => {
        sent.push(args)
        return shown(device('k1', { kind: args.kind as Device['kind'], name: args.name as string }))
      },
    })
    const store = useDevicesStore()
    const answerKiosk = await store.add('kiosk', '  东门取号机 ', 'w-a')
    expect(sent[0]).toEqual({ kind: 'kiosk', name: '东门取号机', windowId: null })
    expect(store.shown).toEqual(answerKiosk)
    expect(store.items.map((d) => d.id)).toEqual(['k1'])
    await store.add('caller', 'A01 叫号', 'w-a')
    expect(sent[1]).toEqual({ kind: 'caller', name: 'A01 叫号', windowId: 'w-a' })
  })

  it('passes a refusal on with its field, and adds nothing', async () => {
    answer(invokeMock, {
      add_device: refuses('device.window_missing', '叫号器和评价器须指定所属窗口', 'windowId'),
    })
    const store = useDevicesStore()
    await expect(store.add('caller', 'x', null)).rejects.toMatchObject({ field: 'windowId' })
    expect(store.items).toEqual([])
    expect(store.shown).toBeNull()
  })

  it('revokes, then reads the list again so the row shows the server’s revocation', async () => {
    let revoked = false
    answer(invokeMock, {
      list_devices: () => [device('a', revoked ? { revokedAt: '2026-12-07T10:05:00.000Z' } : {})],
      new_device_pairing_code: () => shown(device('a')),
      revoke_device: () => {
        revoked = true
      },
    })
    const store = useDevicesStore()
    await store.load()
    await store.newCode('a')
    expect(store.shown?.pairing.device.id).toBe('a')
    await store.revoke('a')
    expect(calls('list_devices')).toBe(2)
    expect(store.items[0].revokedAt).not.toBeNull()
    expect(store.shown).toBeNull()
    expect(store.live).toEqual([])
  })

  it('lists the newest first and the revoked last', async () => {
    answer(invokeMock, {
      list_devices: () => [
        device('old', { createdAt: '2026-12-07T09:00:00.000Z' }),
        device('gone', { createdAt: '2026-12-07T11:00:00.000Z', revokedAt: '2026-12-07T11:30:00.000Z' }),
        device('new', { createdAt: '2026-12-07T10:00:00.000Z' }),
      ],
    })
    const store = useDevicesStore()
    await store.load()
    expect(store.listed.map((d) => d.id)).toEqual(['new', 'old', 'gone'])
    expect(store.live.map((d) => d.id)).toEqual(['old', 'new'])
  })

  it('updates a device in place', async () => {
    answer(invokeMock, {
      list_devices: () => [device('p', { kind: 'rating_pad', windowId: 'w-a' })],
      update_device: (args) => device('p', { kind: 'rating_pad', windowId: args.windowId as string, name: 'B01 评价器' }),
    })
    const store = useDevicesStore()
    await store.load()
    const d = await store.update('p', 'B01 评价器', 'w-b')
    expect(invokeMock).toHaveBeenLastCalledWith('update_device', { deviceId: 'p', name: 'B01 评价器', windowId: 'w-b' })
    expect(store.items).toEqual([d])
  })
})

describe('presence and countdown', () => {
  const now = Date.parse('2026-12-07T10:05:00.000Z')
  it('is online within three minutes of the last call, offline after, and revoked above all', () => {
    const at = (ms: number) => new Date(now - ms).toISOString()
    expect(presence(device('a'), now)).toBe('never')
    expect(presence(device('a', { lastSeenAt: at(ONLINE_WITHIN_MS) }), now)).toBe('online')
    expect(presence(device('a', { lastSeenAt: at(ONLINE_WITHIN_MS + 1) }), now)).toBe('offline')
    expect(presence(device('a', { lastSeenAt: at(0), revokedAt: at(0) }), now)).toBe('revoked')
  })
  it('counts whole seconds down to zero', () => {
    expect(secondsLeft('2026-12-07T10:15:00.000Z', now)).toBe(600)
    expect(secondsLeft('2026-12-07T10:05:00.500Z', now)).toBe(1)
    expect(secondsLeft('2026-12-07T10:04:00.000Z', now)).toBe(0)
    expect(secondsLeft('not a time', now)).toBe(0)
  })
})
