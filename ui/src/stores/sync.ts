import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { listen } from '@tauri-apps/api/event'
import * as api from '../api'
import type { CommandError, SyncStatus } from '../api'
import { SYNC_TONE, syncIndicatorState } from '../utils/syncState'

const inShell = () => typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window

/** While the link to the server is being set up the shell may not announce it: look again. */
const CONNECTING_POLL_MS = 2000

/**
 * The sync status shown in the header (every page) and its drawer: read once with
 * `get_sync_status`, then kept live by the shell's `sync-status` events.
 */
export const useSyncStore = defineStore('sync', () => {
  const status = shallowRef<SyncStatus | null>(null)
  /** Why the status could not be read (only when there is none to show). */
  const loadError = ref<CommandError | null>(null)
  /** A "sync now" from this UI is running. */
  const running = ref(false)

  /** The first read has answered (or there is no shell to ask): until then the state is "connecting". */
  const settled = ref(false)

  const state = computed(() =>
    status.value || settled.value ? syncIndicatorState(status.value, running.value) : 'syncing',
  )
  const tone = computed(() => SYNC_TONE[state.value])
  const pending = computed(() => status.value?.pending ?? 0)
  const rejected = computed(() => status.value?.rejected ?? [])

  // An event newer than a fetch wins over the fetch's (older) answer.
  let version = 0

  function apply(s: SyncStatus) {
    version += 1
    status.value = s
    loadError.value = null
    schedulePoll()
  }

  /** Reads the status now. Never throws: a failure is kept in `loadError`. */
  async function refresh(): Promise<void> {
    const asked = version
    try {
      const s = await api.getSyncStatus()
      if (version === asked) apply(s)
    } catch (e) {
      if (!status.value) loadError.value = api.toCommandError(e)
    } finally {
      settled.value = true
    }
  }

  let pollTimer: ReturnType<typeof setTimeout> | null = null
  function schedulePoll() {
    if (pollTimer !== null) {
      clearTimeout(pollTimer)
      pollTimer = null
    }
    if (status.value?.connection === 'connecting' && inShell()) {
      pollTimer = setTimeout(() => {
        pollTimer = null
        void refresh()
      }, CONNECTING_POLL_MS)
    }
  }

  let started = false

  /** Subscribes to `sync-status` once, then reads the status. Outside the shell there is none. */
  async function start(): Promise<void> {
    if (started) return
    if (!inShell()) {
      settled.value = true
      return
    }
    started = true
    try {
      await listen<SyncStatus>('sync-status', (e) => {
        if (e.payload) apply(e.payload)
      })
    } catch {
      started = false
    }
    await refresh()
  }

  /** "Sync now": resolves with the status after, rejects with the command's error. */
  async function syncNow(): Promise<SyncStatus> {
    running.value = true
    try {
      const s = await api.syncNow()
      apply(s)
      return s
    } catch (e) {
      // The status (connection, last error) has moved too: show it as it is now.
      void refresh()
      throw api.toCommandError(e)
    } finally {
      running.value = false
    }
  }

  return { status, loadError, settled, running, state, tone, pending, rejected, refresh, start, syncNow }
})
