// The only module that talks to the Tauri shell. One typed wrapper per command of
// docs/ui-contract.md; every rejection is normalised to a CommandError.
import { invoke, type InvokeArgs } from '@tauri-apps/api/core'
import { toCommandError } from './errors'
import type {
  AuditPage,
  CommandError,
  Account,
  HallRole,
  Role,
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
  CaseAction,
  CaseAlerts,
  CaseAttachment,
  CaseDetail,
  CaseSummary,
  DeadlineProfile,
  InboxFilter,
  MoveWaitingOutcome,
  Device,
  DeviceKind,
  PairingShown,
  SmsBudget,
  SmsCounts,
  SmsOutboxEntry,
  SmsOutboxQuery,
  SmsPreview,
  SmsRuleSet,
  SmsServiceStatus,
  SmsTestResult,
  SmsTrigger,
  MonthlyStars,
  StarRule,
  RatingReasons,
  ReportDimension,
  ReportPeriodInput,
  ReportTable,
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

/** Moves every waiting ticket of a matter to another window; they keep their place in the queue. */
export const moveWaitingTickets = (matterId: string, toWindowId: string) =>
  call<MoveWaitingOutcome>('move_waiting_tickets', { matterId, toWindowId })

// The poor-rating inbox and rectification ledger (整改台账). Events: `cases-changed` {unread}
// when cases open or change, `case-focus` {caseId} when a case notification is clicked.

/** The inbox, newest first; every filter field optional. */
export const listPoorRatings = (filter: InboxFilter = {}) =>
  call<CaseSummary[]>('list_poor_ratings', { filter })

export const getCase = (caseId: string) => call<CaseDetail>('get_case', { caseId })

/** One step by the operator, now; refused with the state machine's code (and `field`). */
export const caseAction = (
  caseId: string,
  action: CaseAction,
  note?: string,
  attachments?: CaseAttachment[],
) => call<CaseDetail>('case_action', { caseId, action, note, attachments })

/** Marks a case read; answers the unread count left. */
export const markCaseRead = (caseId: string) => call<number>('mark_case_read', { caseId })

export const unreadCaseCount = () => call<number>('unread_case_count')

export const caseAlerts = () => call<CaseAlerts>('case_alerts')

/** Copies a file (a path from the open dialog) into the evidence folder; cite it in `caseAction`. */
export const attachEvidence = (caseId: string, path: string) =>
  call<CaseAttachment>('attach_evidence', { caseId, path })

export const listDeadlineProfiles = () => call<DeadlineProfile[]>('list_deadline_profiles')

export const getDeadlineProfile = () => call<DeadlineProfile>('get_deadline_profile')

/** Sets the profile new cases open under; refused with `field` naming the input at fault. */
export const setDeadlineProfile = (profile: DeadlineProfile) =>
  call<DeadlineProfile>('set_deadline_profile', { profile })

// ---- SMS reminders (短信提醒) ----

export const getSmsRules = () => call<SmsRuleSet | null>('get_sms_rules')

export const setSmsRules = (rules: SmsRuleSet) => call<SmsRuleSet>('set_sms_rules', { rules })

export const previewSmsTemplate = (template: string, trigger: SmsTrigger) =>
  call<SmsPreview>('preview_sms_template', { template, trigger })

export const smsBudget = (rules: SmsRuleSet) => call<SmsBudget>('sms_budget', { rules })

export const smsOutbox = (q: SmsOutboxQuery) =>
  call<SmsOutboxEntry[]>('sms_outbox', { status: q.status ?? null, rule: q.rule ?? null, day: q.day ?? null })

export const smsCounts = (days: number) => call<SmsCounts>('sms_counts', { days })

export const smsStatus = () => call<SmsServiceStatus>('sms_status')

export const smsTestSend = (phone: string, ruleId: string | null, text: string | null) =>
  call<SmsTestResult>('sms_test_send', { phone, ruleId, text })

// Service stars (服务之星) and the hall display (大屏)
export const getStarRule = () => call<StarRule>('get_star_rule')

export const setStarRule = (rule: StarRule) => call<StarRule>('set_star_rule', { rule })

// The rating pad's reason tags (评价原因标签), synced to the server's pads
export const getRatingReasons = () => call<RatingReasons>('get_rating_reasons')

export const setRatingReasons = (reasons: RatingReasons) => call<RatingReasons>('set_rating_reasons', { reasons })

/** The stars of a month (1–12) by the saved rule. */
export const getMonthlyStars = (year: number, month: number) =>
  call<MonthlyStars>('get_monthly_stars', { year, month })

/** Opens the hall display window (full screen on a second monitor when there is one). */
export const openDisplayWindow = () => call<void>('open_display_window')

export const closeDisplayWindow = () => call<void>('close_display_window')

// Statistics and reports (统计报表)
/** `get_report`: the figures of a period per dimension key (server-computed from rollups). */
export const getReport = (period: ReportPeriodInput, dimension: ReportDimension) =>
  call<ReportTable>('get_report', { period, dimension })

/** `export_report_xlsx`: writes the report as an Excel workbook at `path`; answers the path. */
export const exportReportXlsx = (period: ReportPeriodInput, dimension: ReportDimension, path: string) =>
  call<string>('export_report_xlsx', { period, dimension, path })

// ---- 设备管理: the hall's devices on the central server (capability devices.manage) ----

export const listDevices = () => call<Device[]>('list_devices')

/** A new device that enrols with a one-time pairing code: the code and its QR code. */
export const addDevice = (kind: DeviceKind, name: string, windowId: string | null) =>
  call<PairingShown>('add_device', { kind, name, windowId })

/** A new code for a listed device; when it is used, the device's old token stops working. */
export const newDevicePairingCode = (deviceId: string) =>
  call<PairingShown>('new_device_pairing_code', { deviceId })

/** Rename (`name`) or rebind a caller or rating pad (`windowId`); null leaves a field as it is. */
export const updateDevice = (deviceId: string, name: string | null, windowId: string | null) =>
  call<Device>('update_device', { deviceId, name, windowId })

export const revokeDevice = (deviceId: string) => call<void>('revoke_device', { deviceId })

// People and roles (issue 17): sign-in, the first run, the lock. The shapes are the shell's
// (src-tauri/src/commands/session.rs), not the wire's.
export interface SessionPerson {
  accountId: string
  login: string
  displayName: string
  grants: HallRole[]
  mustChangePassword: boolean
}

export interface SessionStatus {
  person: SessionPerson | null
  /** Capability codes the person holds in this hall (hallkeeper_access's matrix). */
  capabilities: string[]
  /** Signed in against this PC's verifier while the server is away. */
  offline: boolean
  locked: boolean
  lockMinutes: number
  /** Why the last session ended by itself (expired, revoked). */
  ended: CommandError | null
}

export interface FirstRunStatus {
  needed: boolean
  starting: boolean
}

export const sessionStatus = () => call<SessionStatus>('session_status')
export const signIn = (login: string, password: string) =>
  call<SessionStatus>('sign_in', { login, password })
export const signOut = () => call<SessionStatus>('sign_out')
export const changePassword = (current: string, next: string) =>
  call<SessionStatus>('change_password', { current, new: next })
export const lockScreen = () => call<SessionStatus>('lock')
export const unlockScreen = (password: string) => call<SessionStatus>('unlock', { password })
export const setLockMinutes = (minutes: number) =>
  call<SessionStatus>('set_lock_minutes', { minutes })
export const firstRunStatus = () => call<FirstRunStatus>('first_run_status')
export const createFirstAdministrator = (login: string, displayName: string, password: string) =>
  call<SessionStatus>('create_first_administrator', { login, displayName, password })

// ---- 人员与权限: the hall's accounts on the central server (capability accounts.manage) ----
// The shapes are the shell's (src-tauri/src/commands/accounts.rs); the server decides.

export interface HallAccounts {
  /** This hall: the grant naming it is the account's role here. */
  hallId: string
  accounts: Account[]
}

export const listAccounts = () => call<HallAccounts>('list_accounts')

/** A new account with a first password and one role in this hall. */
export const createAccount = (input: {
  login: string
  displayName: string
  staffId: string | null
  role: Role
  password: string
}) => call<Account>('create_account', input)

/** Absent fields stay; `staffId: ''` unlinks the staff record. */
export const updateAccount = (
  accountId: string,
  change: { role?: Role; staffId?: string; active?: boolean },
) => call<Account>('update_account', { accountId, ...change })

/** A temporary password: the person must change it at their next sign-in. */
export const resetAccountPassword = (accountId: string, password: string) =>
  call<void>('reset_account_password', { accountId, password })
