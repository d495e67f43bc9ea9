// The only module that talks to the Tauri shell. One typed wrapper per command of
// docs/ui-contract.md; every rejection is normalised to a CommandError.
import { invoke, type InvokeArgs } from '@tauri-apps/api/core'
import { toCommandError } from './errors'
import type {
  AuditPage,
  HallWindow,
  Locale,
  Settings,
  WindowInput,
  WindowState,
} from './types.gen'

async function call<T>(command: string, args?: InvokeArgs): Promise<T> {
  try {
    return await invoke<T>(command, args)
  } catch (e) {
    throw toCommandError(e)
  }
}

export const listWindows = () => call<HallWindow[]>('list_windows')

export const createWindow = (input: WindowInput) => call<HallWindow>('create_window', { input })

export const updateWindow = (id: string, input: WindowInput) =>
  call<HallWindow>('update_window', { id, input })

export const setWindowState = (id: string, state: WindowState) =>
  call<HallWindow>('set_window_state', { id, state })

export const deleteWindow = (id: string) => call<null>('delete_window', { id })

export const reorderWindows = (orderedIds: string[]) =>
  call<HallWindow[]>('reorder_windows', { orderedIds })

export const listAudit = (limit: number, before: string | null) =>
  call<AuditPage>('list_audit', { limit, before })

export const getSettings = () => call<Settings>('get_settings')

export const setLocale = (locale: Locale) => call<Settings>('set_locale', { locale })

export const uiReady = () => call<null>('ui_ready')

export const reportUiError = (kind: string, message: string) =>
  call<null>('report_ui_error', { kind, message })
