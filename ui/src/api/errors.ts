import type { CommandError } from './types.gen'

/**
 * Every command rejects with a CommandError (see docs/ui-contract.md). Its `code` is an
 * `ErrorCode` (errorCodes.gen.ts, from the Rust codes), so comparing it to a misspelt code fails
 * typecheck. A code the server relays that the list does not name still passes through as it
 * came: the UI shows its message, and switches only on listed codes.
 */
export function isCommandError(e: unknown): e is CommandError {
  if (typeof e !== 'object' || e === null) return false
  const o = e as Record<string, unknown>
  return (
    typeof o.code === 'string' &&
    typeof o.message === 'string' &&
    (o.field === null || o.field === undefined || typeof o.field === 'string')
  )
}

/**
 * Anything that is not a CommandError (the IPC bridge missing, a serialisation failure, a thrown
 * string) becomes one with code `internal`, so the UI handles a single shape.
 */
export function toCommandError(e: unknown): CommandError {
  if (isCommandError(e)) return { code: e.code, message: e.message, field: e.field ?? null }
  const message =
    e instanceof Error ? e.message : typeof e === 'string' ? e : JSON.stringify(e) ?? String(e)
  return { code: 'internal', message, field: null }
}
