// Errors in the web view would otherwise only reach a console nobody looks at: send them to the
// shell's log (the end-to-end suite fails a test whose run logged one).
import type { App } from 'vue'
import { reportUiError } from '../api/commands'

function describe(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}${value.stack ? `\n${value.stack}` : ''}`
  if (typeof value === 'string') return value
  try {
    return JSON.stringify(value)
  } catch {
    return String(value)
  }
}

function send(kind: string, parts: unknown[]) {
  // Reporting must never raise an error of its own (or loop through console.error).
  reportUiError(kind, parts.map(describe).join(' ')).catch(() => undefined)
}

export function reportUiErrors(app: App) {
  app.config.errorHandler = (err, _instance, info) => {
    send('vue', [err, `(${info})`])
  }
  window.addEventListener('error', (e) => send('window', [e.error ?? e.message]))
  window.addEventListener('unhandledrejection', (e) => send('promise', [e.reason]))
  const consoleError = console.error.bind(console)
  console.error = (...args: unknown[]) => {
    consoleError(...args)
    send('console', args)
  }
}
