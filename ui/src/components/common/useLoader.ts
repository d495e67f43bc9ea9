import { ref } from 'vue'
import { toCommandError } from '../../api/errors'
import type { CommandError } from '../../api'

/** Where a read stands: what LoadState (its `status`) and a panel's `data-status` show. */
export type LoadStatus = 'loading' | 'ready' | 'error'

/**
 * A panel's own read (not a store's): `load` runs `read` and hands its answer to `apply`; when
 * called again before the first answer (a filter changed), only the latest answer counts. A
 * refusal is kept in `error` until a read succeeds.
 */
export function useLoader<T>(read: () => Promise<T>, apply: (value: T) => void) {
  const status = ref<LoadStatus>('loading')
  const error = ref<CommandError | null>(null)
  let seq = 0
  async function load() {
    const mine = ++seq
    status.value = 'loading'
    try {
      const value = await read()
      if (mine !== seq) return
      apply(value)
      error.value = null
      status.value = 'ready'
    } catch (e) {
      if (mine !== seq) return
      error.value = toCommandError(e)
      status.value = 'error'
    }
  }
  return { status, error, load }
}
