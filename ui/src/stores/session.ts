import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { listen } from '@tauri-apps/api/event'
import * as api from '../api'
import type { CommandError, FirstRunStatus, SessionStatus } from '../api'

/**
 * Who is signed in (the shell holds the session; this mirrors it from `session_status` and the
 * `session-changed` event). `can(code)` only decides what to show: core checks every command.
 */
export const useSessionStore = defineStore('session', () => {
  const status = ref<SessionStatus | null>(null)
  const firstRun = ref<FirstRunStatus | null>(null)
  const loadError = ref<CommandError | null>(null)
  let listening = false

  const person = computed(() => status.value?.person ?? null)
  const signedIn = computed(() => person.value !== null)
  const locked = computed(() => status.value?.locked ?? false)
  const mustChangePassword = computed(() => person.value?.mustChangePassword ?? false)

  function can(capability: string): boolean {
    return status.value?.capabilities.includes(capability) ?? false
  }

  function adopt(next: SessionStatus) {
    status.value = next
  }

  /** Reads the session and, while nobody is signed in, whether the first run is due. */
  async function load(): Promise<void> {
    if (!listening) {
      listening = true
      try {
        await listen<SessionStatus>('session-changed', (e) => adopt(e.payload))
      } catch {
        listening = false
      }
    }
    try {
      // Whether the first run is due is known before any screen shows: the sign-in screen must
      // not flash before the first-run one.
      const now = await api.sessionStatus()
      if (!now.person) await refreshFirstRun()
      adopt(now)
      loadError.value = null
    } catch (e) {
      loadError.value = api.toCommandError(e)
    }
  }

  /** The embedded server starts in the background: ask until it answers. */
  async function refreshFirstRun(): Promise<void> {
    for (let i = 0; i < 100; i++) {
      firstRun.value = await api.firstRunStatus()
      if (!firstRun.value.starting) return
      await new Promise((r) => setTimeout(r, 100))
    }
  }

  async function signIn(login: string, password: string) {
    adopt(await api.signIn(login, password))
  }
  async function signOut() {
    adopt(await api.signOut())
    await refreshFirstRun().catch(() => undefined)
  }
  async function changePassword(current: string, next: string) {
    adopt(await api.changePassword(current, next))
  }
  async function createFirstAdministrator(login: string, displayName: string, password: string) {
    adopt(await api.createFirstAdministrator(login, displayName, password))
    firstRun.value = { needed: false, starting: false }
  }
  async function lock() {
    adopt(await api.lockScreen())
  }
  async function unlock(password: string) {
    adopt(await api.unlockScreen(password))
  }
  async function setLockMinutes(minutes: number) {
    adopt(await api.setLockMinutes(minutes))
  }

  return {
    status,
    firstRun,
    loadError,
    person,
    signedIn,
    locked,
    mustChangePassword,
    can,
    load,
    signIn,
    signOut,
    changePassword,
    createFirstAdministrator,
    lock,
    unlock,
    setLockMinutes,
  }
})
