// How the stores call the shell: one request of a kind at a time; a part of a store that shows
// the loading state on its first read and keeps what is on screen when read again; a read where
// only the latest answer counts; a write whose answer replaces the item the store holds.
import type { Ref } from 'vue'
import { toCommandError } from '../api/errors'
import type { CommandError } from '../api'

export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error'

/**
 * Runs `task` one at a time: a call while it runs schedules exactly one more run after it (a burst
 * of change events costs at most two fetches), and resolves when the run that covers it is done.
 * `task` must not throw.
 */
export function serial(task: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null
  let queued: Promise<void> | null = null
  const run = (): Promise<void> => {
    if (!running) {
      running = task().finally(() => {
        running = null
      })
      return running
    }
    if (!queued) {
      queued = running.then(() => {
        queued = null
        return run()
      })
    }
    return queued
  }
  return run
}

/**
 * A read into a part of a store: the first read shows `loading`; a failed re-read keeps what is
 * shown (`status` stays `ready`) and keeps the failure in `error`; a read that succeeds clears it.
 * Never throws.
 */
export function keepShown(status: Ref<LoadStatus>, error: Ref<CommandError | null>, read: () => Promise<void>) {
  return async (): Promise<void> => {
    if (status.value !== 'ready') status.value = 'loading'
    try {
      await read()
      error.value = null
      status.value = 'ready'
    } catch (e) {
      error.value = toCommandError(e)
      if (status.value !== 'ready') status.value = 'error'
    }
  }
}

/**
 * A read whose answer counts only while no later one has started (the filter or the period
 * changed meanwhile: the later read decides what is shown). `loading` says whether every read
 * shows the loading state, or only one while nothing is shown yet. Never throws.
 */
export function latestRead<T>(
  status: Ref<LoadStatus>,
  error: Ref<CommandError | null>,
  loading: 'always' | 'first',
  read: () => Promise<T>,
  take: (value: T) => void,
): () => Promise<void> {
  let generation = 0
  return async () => {
    const mine = ++generation
    if (loading === 'always' || status.value !== 'ready') status.value = 'loading'
    try {
      const value = await read()
      if (mine !== generation) return
      take(value)
      error.value = null
      status.value = 'ready'
    } catch (e) {
      if (mine !== generation) return
      error.value = toCommandError(e)
      status.value = 'error'
    }
  }
}

/**
 * A write whose answer is the item as the shell now has it: `put` into the store (so the screen
 * shows it without waiting for the change event), then handed back. A refusal is thrown.
 */
export function thenPut<A extends unknown[], T>(write: (...args: A) => Promise<T>, put: (item: T) => void) {
  return async (...args: A): Promise<T> => {
    const item = await write(...args)
    put(item)
    return item
  }
}
