// The device pages' one HTTP client: same origin (the server serves the pages), the device's
// bearer token, and the server's `{code, message, field}` refusals as a DeviceApiError.
/** The server's refusal body (proto's ErrorBody). */
interface ErrorBody {
  code: string
  message: string
  field: string | null
}

export class DeviceApiError extends Error {
  readonly status: number
  /** The server's stable code; null when the server could not be reached. */
  readonly code: string | null
  readonly field: string | null
  constructor(status: number, code: string | null, message: string, field: string | null = null) {
    super(message)
    this.status = status
    this.code = code
    this.field = field
  }
}

/** Called on any 401: the token was revoked or replaced, the page must pair again. */
let onUnauthorized: () => void = () => {}
export function whenUnauthorized(f: () => void): void {
  onUnauthorized = f
}

export async function call<T>(
  method: string,
  path: string,
  token: string | null,
  body?: unknown,
  extra: Record<string, string> = {},
): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...extra }
  if (token) headers.Authorization = `Bearer ${token}`
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  let res: Response
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  } catch (e) {
    throw new DeviceApiError(0, null, e instanceof Error ? e.message : String(e))
  }
  if (res.ok) return (res.status === 204 ? undefined : await res.json()) as T
  let err: Partial<ErrorBody> = {}
  try {
    err = (await res.json()) as ErrorBody
  } catch {
    // Not the server's JSON (a proxy's page): the status says enough.
  }
  // A window terminal's person signed out or timed out (`terminal.*`): the device is still
  // paired; the terminal page asks for a sign-in instead.
  if (res.status === 401 && token && !err.code?.startsWith('terminal.')) onUnauthorized()
  throw new DeviceApiError(res.status, err.code ?? `http.${res.status}`, err.message ?? res.statusText, err.field ?? null)
}

/** Times are shown in the hall's time (UTC+8 all year, as the server's hall day), whatever the
 *  device's own clock zone is set to. */
export const HALL_TIME_ZONE = 'Asia/Shanghai'
