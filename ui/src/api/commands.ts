// The only module that talks to the Tauri shell. One typed wrapper per command of
// docs/ui-contract.md; every rejection is normalised to a CommandError.
import { invoke, type InvokeArgs } from '@tauri-apps/api/core'
import { toCommandError } from './errors'
import type {
  AuditPage,
  BindInput,
  Dashboard,
  ThresholdSettings,
  Binding,
  BindingsChange,
  Catalog,
  CoverageReport,
  ImportInspection,
  ImportOutcome,
  ImportPreview,
  ImportRequest,
  Roster,
  SeatInput,
  Staff,
  StaffInput,
  SyncStatus,
  UnbindInput,
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

// Catalog, bindings, coverage, staff (issue 3)

export const getCatalog = () => call<Catalog>('get_catalog')

export const listBindings = () => call<Binding[]>('list_bindings')

export const bindMatters = (input: BindInput) => call<BindingsChange>('bind_matters', { input })

export const unbindMatters = (input: UnbindInput) => call<BindingsChange>('unbind_matters', { input })

export const getCoverage = () => call<CoverageReport>('get_coverage')

export const inspectCatalogFile = (path: string) => call<ImportInspection>('inspect_catalog_file', { path })

export const previewCatalogImport = (request: ImportRequest) =>
  call<ImportPreview>('preview_catalog_import', { request })

export const applyCatalogImport = (request: ImportRequest, fingerprint: string) =>
  call<ImportOutcome>('apply_catalog_import', { request, fingerprint })

export const listStaff = () => call<Staff[]>('list_staff')

export const createStaff = (input: StaffInput) => call<Staff>('create_staff', { input })

export const updateStaff = (id: string, input: StaffInput) => call<Staff>('update_staff', { id, input })

export const deleteStaff = (id: string) => call<null>('delete_staff', { id })

export const getRoster = () => call<Roster>('get_roster')

export const setSeat = (input: SeatInput) => call<Roster>('set_seat', { input })

// Sync with the central server (issue 5)

export const getSyncStatus = () => call<SyncStatus>('get_sync_status')

/** Pushes everything pending and pulls to the server's head; the status after. */
export const syncNow = () => call<SyncStatus>('sync_now')

// The live queue monitor (issue 6)

/** The dashboard as the shell computes it now (then follow the `dashboard` event). */
export const getDashboard = () => call<Dashboard>('get_dashboard')

export const getThresholds = () => call<ThresholdSettings>('get_thresholds')

/** Saves every threshold at once; refused with `field` naming the input at fault. */
export const setThresholds = (settings: ThresholdSettings) =>
  call<ThresholdSettings>('set_thresholds', { settings })

/** Binds a matter to a window as overflow until the end of today's hall day. */
export const bindOverflowToday = (windowId: string, matterId: string) =>
  call<BindingsChange>('bind_overflow_today', { windowId, matterId })

/** What `move_waiting_tickets` moved: how many tickets and which. */
export interface MovedTickets {
  moved: number
  ticketIds: string[]
}

/** Moves every waiting ticket of a matter to another window; they keep their place in the queue. */
export const moveWaitingTickets = (matterId: string, toWindowId: string) =>
  call<MovedTickets>('move_waiting_tickets', { matterId, toWindowId })
