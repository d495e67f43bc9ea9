// Server-sent events over fetch: the browser's EventSource cannot send the device's bearer
// token, and the server authenticates every stream before any body (a 401 comes back as JSON).
// The page reads its full state with the plain GET on every (re)connect, so a message lost in
// a drop costs nothing; these messages only say "look now".

export interface SseMessage {
  event: string
  data: string
}

/** Splits a text/event-stream into messages; keeps a partial message until its blank line. */
export class SseParser {
  private buffer = ''

  push(chunk: string): SseMessage[] {
    this.buffer += chunk.replace(/\r\n?/g, '\n')
    const out: SseMessage[] = []
    let end: number
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, end)
      this.buffer = this.buffer.slice(end + 2)
      let event = 'message'
      const data: string[] = []
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue // keep-alive comment
        const colon = line.indexOf(':')
        const field = colon < 0 ? line : line.slice(0, colon)
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '')
        if (field === 'event') event = value
        else if (field === 'data') data.push(value)
      }
      if (data.length > 0) out.push({ event, data: data.join('\n') })
    }
    return out
  }
}

/** Delay before the n-th reconnect attempt (0-based): 1 s, 2 s, 4 s … at most 15 s. */
export function backoffMs(attempt: number): number {
  return Math.min(15_000, 1000 * 2 ** Math.min(attempt, 4))
}

export interface StreamHandlers {
  /** Connected (again): read the full state now. */
  onOpen(): void
  onMessage(m: SseMessage): void
  /** Lost (or refused): the page may poll until it is back. */
  onDown(status: number): void
}

/**
 * Follows `path` until `stop()` is called, reconnecting with backoff. A 401 stops for good
 * (the page pairs again, api.ts's handler); any other failure retries.
 */
export function follow(path: string, token: string, h: StreamHandlers): { stop(): void } {
  let stopped = false
  let attempt = 0
  let controller: AbortController | null = null
  let timer: ReturnType<typeof setTimeout> | null = null
  const run = async () => {
    if (stopped) return
    controller = new AbortController()
    let status = 0
    try {
      const res = await fetch(path, {
        headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' },
        signal: controller.signal,
      })
      status = res.status
      if (res.ok && res.body) {
        attempt = 0
        h.onOpen()
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader()
        const parser = new SseParser()
        for (;;) {
          const { value, done } = await reader.read()
          if (done) break
          for (const m of parser.push(value)) h.onMessage(m)
        }
        status = 0
      }
    } catch {
      // Network gone or aborted: retried below unless stopped.
    }
    if (stopped) return
    h.onDown(status)
    if (status === 401) return
    timer = setTimeout(run, backoffMs(attempt++))
  }
  void run()
  return {
    stop() {
      stopped = true
      if (timer) clearTimeout(timer)
      controller?.abort()
    },
  }
}
