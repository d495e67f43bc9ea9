import { ref, type Ref } from 'vue'
import type { CommandError } from '../../api'
import { latestRead, type LoadStatus as ReadStatus } from '../../stores/requests'

/** Where a read stands: what LoadState (its `status`) and a panel's `data-status` show. */
export type LoadStatus = 'loading' | 'ready' | 'error'

/**
 * A panel's own read (not a store's): `load` runs `read` and hands its answer to `apply`; when
 * called again before the first answer (a filter changed), only the latest answer counts. A
 * refusal is kept in `error` until a read succeeds. The stores' `latestRead` does the reading,
 * every call showing the loading state; a panel's read never stands idle.
 */
export function useLoader<T>(read: () => Promise<T>, apply: (value: T) => void) {
  const status = ref<LoadStatus>('loading')
  const error = ref<CommandError | null>(null)
  const load = latestRead(status as Ref<ReadStatus>, error, 'always', read, apply)
  return { status, error, load }
}
