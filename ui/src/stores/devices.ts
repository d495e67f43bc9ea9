import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import * as api from '../api'
import type { CommandError, Device, DeviceKind, PairingShown } from '../api'
import { keepShown, type LoadStatus } from './requests'

/**
 * A device counts as online when the server saw it within this long. The server records a
 * device's last call at most once a minute, and kiosks, callers and displays call every few
 * seconds, so three minutes without one means it is off or cut off.
 */
export const ONLINE_WITHIN_MS = 3 * 60 * 1000

/** The kinds the page adds (the online booking channel is set up by its integrator, not here). */
export const ADDABLE_KINDS: DeviceKind[] = ['kiosk', 'caller', 'rating_pad', 'display']

/** Callers and rating pads belong to one window. */
export const needsWindow = (kind: DeviceKind) => kind === 'caller' || kind === 'rating_pad'

export type Presence = 'online' | 'offline' | 'never' | 'revoked'

/** What the list says of a device at `now`. */
export function presence(d: Device, now: number): Presence {
  if (d.revokedAt) return 'revoked'
  if (!d.lastSeenAt) return 'never'
  const seen = Date.parse(d.lastSeenAt)
  return Number.isFinite(seen) && now - seen <= ONLINE_WITHIN_MS ? 'online' : 'offline'
}

/** Whole seconds a code has left at `now` (0 once expired). */
export function secondsLeft(expiresAt: string, now: number): number {
  const end = Date.parse(expiresAt)
  return Number.isFinite(end) ? Math.max(0, Math.ceil((end - now) / 1000)) : 0
}

/**
 * The hall's devices as the central server lists them, and the code last shown. Writes answer
 * what the server did; the list is read again after each (a pairing, a revoke), so it always
 * shows the server's truth.
 */
export const useDevicesStore = defineStore('devices', () => {
  const items = ref<Device[]>([])
  const status = ref<LoadStatus>('idle')
  const loadError = ref<CommandError | null>(null)
  /** The code on screen (the dialog): the one just made. */
  const shown = ref<PairingShown | null>(null)

  const live = computed(() => items.value.filter((d) => !d.revokedAt))
  /** As the page lists them: the newest first (the one just added is at the top), revoked ones last. */
  const listed = computed(() =>
    items.value
      .slice()
      .sort((a, b) => Number(!!a.revokedAt) - Number(!!b.revokedAt) || b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id)),
  )

  const load = keepShown(status, loadError, async () => {
    items.value = await api.listDevices()
  })

  function put(d: Device) {
    const i = items.value.findIndex((x) => x.id === d.id)
    if (i >= 0) items.value.splice(i, 1, d)
    else items.value = [...items.value, d]
  }

  async function add(kind: DeviceKind, name: string, windowId: string | null): Promise<PairingShown> {
    const answer = await api.addDevice(kind, name.trim(), needsWindow(kind) ? windowId : null)
    put(answer.pairing.device)
    shown.value = answer
    return answer
  }

  async function newCode(deviceId: string): Promise<PairingShown> {
    const answer = await api.newDevicePairingCode(deviceId)
    put(answer.pairing.device)
    shown.value = answer
    return answer
  }

  async function update(deviceId: string, name: string | null, windowId: string | null): Promise<Device> {
    const d = await api.updateDevice(deviceId, name, windowId)
    put(d)
    return d
  }

  async function revoke(deviceId: string): Promise<void> {
    await api.revokeDevice(deviceId)
    if (shown.value?.pairing.device.id === deviceId) shown.value = null
    await load()
  }

  return { items, status, loadError, shown, live, listed, load, add, newCode, update, revoke }
})
