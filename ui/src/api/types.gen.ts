// Generated from crates/proto by `cargo test -p hallkeeper-proto` with
// HALLKEEPER_UPDATE_BINDINGS=1. Do not edit by hand.

import type { ErrorCode } from './errorCodes.gen'

export type WindowKind = "general" | "dedicated" | "priority";

export type WindowState = "open" | "paused" | "closed";

export type HallWindow = { id: string, 
/**
 * Unique within the hall, upper case, e.g. `A03`.
 */
number: string, name: string, 
/**
 * Zone or area of the hall floor; may be empty.
 */
zone: string, kind: WindowKind, state: WindowState, 
/**
 * The supervisor's floor order, 0-based and dense.
 */
position: number, createdAt: string, updatedAt: string, };

export type WindowInput = { number: string, name: string, zone: string, kind: WindowKind, state: WindowState, };

export type AuditEntry = { id: string, at: string, 
/**
 * The person's display name (or, for entries older than sign-in, the OS user's name).
 */
actor: string, 
/**
 * The person's account id on the central server; null for entries older than sign-in and
 * for the store's own bookkeeping.
 */
actorId: string | null, 
/**
 * `<entity>.<verb>`, e.g. `window.create`.
 */
action: string, entityType: string, entityId: string | null, 
/**
 * A short human description, e.g. `A03 不动产登记`.
 */
summary: string, before: unknown | null, after: unknown | null, };

export type AuditPage = { entries: Array<AuditEntry>, nextBefore: string | null, };

export type Locale = "zh-CN" | "en-US";

export type Settings = { locale: Locale, 
/**
 * Who is recorded in the audit log for changes made on this desktop.
 */
operator: string, };

export type RatingReasons = { tags: Array<string>, };

export type CommandError = { 
/**
 * For the UI one of `ErrorCode`, generated from hallkeeper-core's codes into
 * `ui/src/api/errorCodes.gen.ts` (the core depends on this crate, not the reverse).
 */
code: ErrorCode, message: string, field: string | null, };

export type Department = { id: string, 
/**
 * The department's code in the catalog (often its unified social credit code).
 */
code: string, name: string, };

export type MatterState = "active" | "retired";

export type Matter = { id: string, 
/**
 * 事项编码: the catalog's code, unique, the key an import matches on.
 */
catalogCode: string, name: string, departmentId: string, 
/**
 * 事项类型 as the catalog words it, e.g. 行政许可, 公共服务.
 */
matterType: string, 
/**
 * 必进事项: the hall must handle it at a window.
 */
required: boolean, 
/**
 * Promised time limit in working days; 0 for on-the-spot (即办件); None when unknown.
 */
timeLimitDays: number | null, 
/**
 * The letter its tickets start with (A001…); empty when the hall has not set one.
 */
ticketPrefix: string, state: MatterState, };

export type BindingPriority = "primary" | "overflow";

export type Binding = { windowId: string, matterId: string, priority: BindingPriority, };

export type Catalog = { departments: Array<Department>, matters: Array<Matter>, };

export type BindInput = { windowId: string, matterIds: Array<string>, priority: BindingPriority, };

export type UnbindInput = { windowId: string, matterIds: Array<string>, };

export type BindingsChange = { 
/**
 * Bindings created, removed, or whose priority changed.
 */
changed: number, 
/**
 * Matters asked for that were already bound that way (or not bound, for a removal).
 */
unchanged: number, bindings: Array<Binding>, };

export type ImportFormat = "csv" | "xlsx" | "json";

export type TextEncoding = "utf8" | "gbk";

export type MatterField = "catalogCode" | "name" | "department" | "departmentCode" | "matterType" | "required" | "timeLimitDays" | "ticketPrefix" | "state";

export type ColumnMapping = { catalogCode: number | null, name: number | null, department: number | null, departmentCode: number | null, matterType: number | null, required: number | null, timeLimitDays: number | null, ticketPrefix: number | null, state: number | null, };

export type ImportInspection = { fileName: string, format: ImportFormat, 
/**
 * For CSV: the encoding found (UTF-8 or GBK).
 */
encoding: TextEncoding | null, 
/**
 * For XLSX: the worksheet read.
 */
sheet: string | null, headers: Array<string>, 
/**
 * Up to 5 data rows, cells as text.
 */
sampleRows: Array<Array<string>>, rowCount: number, mapping: ColumnMapping, };

export type ImportRequest = { path: string, mapping: ColumnMapping, };

export type MatterSummary = { catalogCode: string, name: string, department: string, required: boolean, };

export type FieldChange = { field: MatterField, before: string, after: string, };

export type MatterChange = { catalogCode: string, name: string, fields: Array<FieldChange>, };

export type DepartmentChange = { code: string, name: string, 
/**
 * The name before, for a rename; None for a new department.
 */
before: string | null, };

export type ImportPreview = { fileName: string, rowCount: number, added: Array<MatterSummary>, changed: Array<MatterChange>, 
/**
 * Matters of the hall that the file no longer lists; they would be retired.
 */
retired: Array<MatterSummary>, unchanged: number, departments: Array<DepartmentChange>, 
/**
 * Retired matters that are still bound to a window (the coverage audit will flag them).
 */
retiredStillBound: number, 
/**
 * Identifies this exact diff; apply refuses if the file or the catalog changed since.
 */
fingerprint: string, };

export type ImportOutcome = { added: number, changed: number, retired: number, unchanged: number, departments: number, };

export type ImportStage = "reading" | "parsing" | "comparing" | "applying" | "done";

export type ImportProgress = { stage: ImportStage, done: number, total: number, };

export type Severity = "red" | "amber" | "info";

export type FindingKind = "required_unbound" | "department_without_window" | "only_inactive_windows" | "retired_still_bound" | "window_without_matters" | "optional_unbound" | "duplicate_window_number";

export type SubjectKind = "matter" | "department" | "window";

export type Finding = { kind: FindingKind, severity: Severity, subject: SubjectKind, subjectId: string, 
/**
 * What a person reads: `事项编码 名称`, a department's name, or `A03 窗口名`.
 */
label: string, 
/**
 * The department of a matter finding (for filtering the catalog).
 */
departmentId: string | null, 
/**
 * The windows involved: the paused/closed ones, or those still holding a retired matter.
 */
windowIds: Array<string>, };

export type FindingGroup = { kind: FindingKind, severity: Severity, total: number, findings: Array<Finding>, };

export type CoverageReport = { red: number, amber: number, info: number, 
/**
 * One group per rule, in FindingKind order, empty groups included.
 */
groups: Array<FindingGroup>, requiredMatters: number, 
/**
 * Required active matters with at least one open window.
 */
requiredCovered: number, activeMatters: number, windows: number, openWindows: number, 
/**
 * Every active matter that no window handles (required or not), uncut: the catalog list
 * colours its rows from these, so the rule lives in core only.
 */
unboundMatterIds: Array<string>, 
/**
 * Every active matter whose windows are all paused or closed, uncut.
 */
inactiveOnlyMatterIds: Array<string>, };

export type Staff = { id: string, 
/**
 * 工号: unique in the hall.
 */
employeeNo: string, name: string, 
/**
 * The department they belong to; None for the hall's own (综窗) staff.
 */
departmentId: string | null, createdAt: string, updatedAt: string, };

export type StaffInput = { employeeNo: string, name: string, departmentId: string | null, };

export type Seat = { windowId: string, staffId: string, };

export type Roster = { date: string, seats: Array<Seat>, };

export type SeatInput = { windowId: string, staffId: string | null, };

export type PriorityClass = "priority_lane" | "appointment" | "normal";

export type TicketState = "waiting" | "called" | "serving" | "parked" | "finished" | "no_show";

export type NoShowReason = "manual" | "recall_limit";

export type TransferTarget = { "to": "window", windowId: string, } | { "to": "matter", matterId: string, };

export type TicketEventKind = { "kind": "issued", matterId: string, class: PriorityClass, prefix: string, sequence: number, } | { "kind": "called", windowId: string, } | { "kind": "recalled", windowId: string, } | { "kind": "started", windowId: string, } | { "kind": "finished", windowId: string, } | { "kind": "no_show", windowId: string, reason: NoShowReason, } | { "kind": "parked", windowId: string, } | { "kind": "resumed", windowId: string, } | { "kind": "transferred", windowId: string, target: TransferTarget, };

export type TicketEvent = { ticketId: string, at: string, } & ({ "kind": "issued", matterId: string, class: PriorityClass, prefix: string, sequence: number, } | { "kind": "called", windowId: string, } | { "kind": "recalled", windowId: string, } | { "kind": "started", windowId: string, } | { "kind": "finished", windowId: string, } | { "kind": "no_show", windowId: string, reason: NoShowReason, } | { "kind": "parked", windowId: string, } | { "kind": "resumed", windowId: string, } | { "kind": "transferred", windowId: string, target: TransferTarget, });

export type Ticket = { id: string, 
/**
 * What is printed and announced, e.g. `A012` (`A1000` after `A999`).
 */
number: string, prefix: string, sequence: number, 
/**
 * The hall day (UTC+8) it was issued on.
 */
day: string, 
/**
 * Issue order in the hall, 0-based: first come, first served. Transfers keep it.
 */
order: number, 
/**
 * The matter it was taken for; the current matter differs after a transfer to another one.
 */
issuedMatterId: string, matterId: string, class: PriorityClass, state: TicketState, 
/**
 * The window holding it (called, serving, parked) or that ended it (finished, no-show);
 * None while waiting.
 */
windowId: string | null, 
/**
 * Set by a transfer to a window: while waiting, only that window may call it.
 */
targetWindowId: string | null, 
/**
 * Recalls since it was last called.
 */
recallCount: number, transferCount: number, issuedAt: string, firstCalledAt: string | null, 
/**
 * The latest call (or resume).
 */
calledAt: string | null, 
/**
 * Service start after the latest call, if the window marked it.
 */
startedAt: string | null, 
/**
 * Finished or no-show.
 */
endedAt: string | null, 
/**
 * Time of its latest event.
 */
updatedAt: string, };

export type QueueWindow = { id: string, number: string, kind: WindowKind, state: WindowState, 
/**
 * Floor order; refusals list windows in it.
 */
position: number, };

export type QueueMatter = { id: string, 
/**
 * One letter, or empty to use the hall's fallback.
 */
ticketPrefix: string, state: MatterState, };

export type QueueSettings = { 
/**
 * Recalls allowed per call (重呼); one more makes the ticket a no-show.
 */
maxRecalls: number, 
/**
 * Its first letter prefixes tickets of matters without a prefix of their own.
 */
fallbackPrefix: string, };

export type QueueConfig = { windows: Array<QueueWindow>, matters: Array<QueueMatter>, bindings: Array<Binding>, settings: QueueSettings, };

export type TicketRefusal = { "reason": "unknown_matter" } | { "reason": "retired" } | { "reason": "no_window" } | { "reason": "no_open_window", windowIds: Array<string>, };

export type TicketCounts = { waiting: number, called: number, serving: number, parked: number, finished: number, noShow: number, };

export type MatterQueueTotals = { matterId: string, counts: TicketCounts, };

export type WindowQueueTotals = { windowId: string, 
/**
 * Waiting tickets this window may call (its queue length on the hall display).
 */
callable: number, 
/**
 * Tickets at this window: waiting ones transferred to it, the one it holds, those it
 * parked, and those it finished or marked no-show.
 */
counts: TicketCounts, 
/**
 * The ticket it has called or is serving.
 */
currentTicketId: string | null, };

export type DeviceKind = "kiosk" | "caller" | "rating_pad" | "display" | "online";

export type Hall = { id: string, name: string, };

export type HallInput = { id: string, name: string, };

export type SmsTrigger = { "kind": "issued" } | { "kind": "peopleAhead", n: number, } | { "kind": "called" } | { "kind": "missed" } | { "kind": "appointmentHeadsUp", minutesBefore: number, };

export type SmsRule = { id: string, name: string, trigger: SmsTrigger, 
/**
 * Text with `{ticket}` `{window}` `{ahead}` `{wait_min}` `{matter}` `{hall}`.
 */
template: string, enabled: boolean, 
/**
 * Limits the rule to these matters; empty means every matter (a tax matter may want an
 * earlier heads-up than a quick certificate).
 */
matterIds: Array<string>, };

export type QuietHours = { 
/**
 * `HH:MM`
 */
start: string, 
/**
 * `HH:MM`
 */
end: string, };

export type SmsRuleSet = { rules: Array<SmsRule>, quietHours: QuietHours | null, 
/**
 * The most reminders one citizen (one phone number) receives in a day, whatever the rules
 * say — the hall's own guard below the providers' frequency limits.
 */
dailyCapPerCitizen: number, };

export type HallConfig = { windows: Array<HallWindow>, departments: Array<Department>, matters: Array<Matter>, bindings: Array<Binding>, settings: QueueSettings, 
/**
 * SMS reminder rules; absent or null: no reminders.
 */
sms: SmsRuleSet | null, };

export type DeviceInput = { kind: DeviceKind, name: string, 
/**
 * Required for callers and rating pads.
 */
windowId: string | null, };

export type Device = { id: string, hallId: string, kind: DeviceKind, name: string, windowId: string | null, createdAt: string, revokedAt: string | null, 
/**
 * When the device last called the server with its token (RFC 3339; None: never). Kept to
 * the minute: the server writes it at most once a minute per device.
 */
lastSeenAt: string | null, };

export type DeviceCreated = { device: Device, 
/**
 * The bearer token for `Authorization: Bearer …`; not retrievable later.
 */
token: string, };

export type PairingCode = { device: Device, code: string, 
/**
 * RFC 3339.
 */
expiresAt: string, };

export type PairDevice = { code: string, };

export type PairingShown = { pairing: PairingCode, 
/**
 * The text the QR code holds: `hallkeeper-pair:<server base URL>?code=<code>`.
 */
qrText: string, 
/**
 * The QR code as an SVG document.
 */
qrSvg: string, };

export type DeviceUpdate = { name: string | null, 
/**
 * A new window for a caller or rating pad.
 */
windowId: string | null, };

export type KioskMatter = { id: string, name: string, ticketPrefix: string, waiting: number, };

export type KioskDepartment = { id: string, name: string, matters: Array<KioskMatter>, };

export type TakeTicket = { matterId: string, 
/**
 * Normal unless staff at the kiosk chose the priority lane; appointments come by check-in.
 */
class: PriorityClass, 
/**
 * For SMS reminders; optional, mainland mobile numbers only.
 */
phone: string | null, };

export type IssuedTicket = { ticket: Ticket, matterName: string, 
/**
 * People who will be called before this ticket.
 */
ahead: number, 
/**
 * Numbers of the windows that serve its matter (floor order), open ones first; what the
 * ticket prints under 请到以下窗口办理. Absent from servers older than the device pages.
 */
windowNumbers: Array<string>, 
/**
 * Estimated minutes until it is called (docs/devices.md, "Estimated wait").
 */
estimatedWaitMinutes: number, 
/**
 * The opaque id of its read-only follow page `/q/<followId>` (no personal data on it).
 */
followId: string, };

export type KioskHome = { hallName: string, 
/**
 * False when no window of the hall is open (before opening, after closing, all paused):
 * the kiosk then shows 暂停取号 instead of the matters.
 */
open: boolean, 
/**
 * The hall's most-taken matters today (most tickets first, at most 8), topped up with the
 * matters most waited for, then catalog order; only matters a ticket can be taken for now.
 */
topMatterIds: Array<string>, 
/**
 * As `GET /api/v1/kiosk/matters`: departments with the matters a ticket can be taken for.
 */
departments: Array<KioskDepartment>, };

export type FollowView = { hallName: string, number: string, matterName: string, state: TicketState, 
/**
 * People still to be called before it (0 once it is called or over).
 */
ahead: number, estimatedWaitMinutes: number, 
/**
 * Where to go: the window that called it (called, serving), else the windows serving its
 * matter.
 */
windowNumbers: Array<string>, 
/**
 * When this answer was made (RFC 3339), so the page can say how fresh it is.
 */
asOf: string, };

export type TransferRequest = { target: TransferTarget, };

export type WindowStateRequest = { state: WindowState, };

export type CallerView = { windowId: string, windowState: WindowState, current: Ticket | null, waiting: number, parked: Array<Ticket>, 
/**
 * Recalls allowed per call (the current ticket's `recallCount` counts up to it; one more
 * recall makes it a no-show).
 */
maxRecalls: number, };

export type FinishedAndCalled = { finished: Ticket, called: Ticket | null, };

export type TerminalSignIn = { 
/**
 * 工号: the staff record's employee number.
 */
employeeNo: string, password: string, };

export type TerminalWindow = { hallName: string, windowId: string, windowNumber: string, windowName: string, 
/**
 * Whether the server refuses caller requests without a terminal session.
 */
signInRequired: boolean, };

export type TerminalPerson = { accountId: string, displayName: string, employeeNo: string, staffId: string, 
/**
 * Their highest role in the hall.
 */
role: Role, 
/**
 * Whether the day's seating plan seats them at this window (false: a 值班长 or above covering).
 */
seated: boolean, 
/**
 * When the session ends at the latest (RFC 3339): the hall day's end or 12 h after sign-in.
 */
expiresAt: string, };

export type TerminalSession = { token: string, person: TerminalPerson, windowId: string, };

export type TerminalView = { windowId: string, windowNumber: string, windowName: string, windowState: WindowState, current: Ticket | null, 
/**
 * The current ticket's matter name (and every other listed ticket's): matter id → name.
 */
matterNames: { [key in string]: string }, 
/**
 * How many wait in the window's queue.
 */
waiting: number, 
/**
 * The first of them in call order (at most 50), to call one out of order.
 */
waitingList: Array<Ticket>, parked: Array<Ticket>, 
/**
 * Recalls allowed per call: one more makes the ticket a no-show.
 */
maxRecalls: number, 
/**
 * Who is signed in (None only where sign-in is optional and nobody is).
 */
person: TerminalPerson | null, 
/**
 * The server's clock (RFC 3339), so the page ticks time in service from the server's time.
 */
now: string, };

export type TransferMatter = { id: string, name: string, 
/**
 * Its department's name, shown beside it in the picker.
 */
departmentName: string, waiting: number, };

export type TransferWindow = { id: string, number: string, name: string, state: WindowState, waiting: number, };

export type TransferTargets = { matters: Array<TransferMatter>, windows: Array<TransferWindow>, };

export type RatingLevel = "very_satisfied" | "satisfied" | "neutral" | "dissatisfied" | "very_dissatisfied";

export type RatingInput = { ticketId: string, level: RatingLevel, reasons: Array<string>, comment: string, };

export type Rating = { id: string, hallId: string, ticketId: string, ticketNumber: string, windowId: string, matterId: string, level: RatingLevel, reasons: Array<string>, comment: string, at: string, };

export type PadView = { windowId: string, windowNumber: string, windowName: string, windowState: WindowState, 
/**
 * The window is paused (暂停服务 on the pad).
 */
paused: boolean, 
/**
 * Who is seated at the window today, if the hall's seating plan says.
 */
serving: PadStaff | null, 
/**
 * The ticket to rate now: the one the terminal asked for (请评价), else the window's last
 * finished ticket not yet rated; None when there is nothing to rate.
 */
rateNow: PadTicket | null, 
/**
 * The reason tags the pad offers for the two lowest grades: the hall's list as a desktop
 * last synced it (`rating_reasons`), else the server's default list (api/pad.rs
 * `DEFAULT_REASON_TAGS`, docs/devices.md). A rating's reasons must be among them.
 */
reasonTags: Array<string>, };

export type PadStaff = { staffId: string, 
/**
 * 工号.
 */
employeeNo: string, name: string, 
/**
 * None: the store keeps no photo of staff yet.
 */
photoUrl: string | null, 
/**
 * Star grade 1–5 from this month's 服务之星 record a desktop published (`star_month`);
 * None when they are not among the month's stars or none was published.
 */
stars: number | null, };

export type PadTicket = { ticketId: string, ticketNumber: string, matterId: string, matterName: string, finishedAt: string | null, };

export type DisplayWindow = { windowId: string, number: string, name: string, state: WindowState, 
/**
 * The ticket number called or served there now.
 */
current: string | null, waiting: number, };

export type DisplayCall = { ticketNumber: string, windowNumber: string, at: string, 
/**
 * The call's number in the hall, strictly increasing (a recall gets a new one): a display
 * announces each call once by remembering the highest it announced. The hall day
 * (YYYYMMDD) × 1,000,000 + the call's ordinal that day, e.g. 20261125000003.
 */
seq: number, 
/**
 * A recall (重呼) rather than a first call.
 */
recall: boolean, ticketId: string, windowId: string, };

export type DisplayFeed = { hallName: string, windows: Array<DisplayWindow>, 
/**
 * The latest calls, newest first.
 */
recentCalls: Array<DisplayCall>, waiting: number, 
/**
 * This month's 服务之星 as a desktop last published them (`star_month`); None until one has.
 */
stars: StarMonth | null, };

export type SlotInput = { 
/**
 * `HH:MM`, hall time.
 */
start: string, 
/**
 * `HH:MM`, after `start`.
 */
end: string, 
/**
 * Places, 1–500.
 */
capacity: number, };

export type AppointmentSlotsInput = { matterId: string, day: string, slots: Array<SlotInput>, };

export type AppointmentSlot = { matterId: string, day: string, start: string, end: string, capacity: number, booked: number, remaining: number, 
/**
 * Places left and the slot not yet started.
 */
bookable: boolean, };

export type BookAppointment = { matterId: string, day: string, 
/**
 * The slot's start, `HH:MM`.
 */
start: string, 
/**
 * For SMS reminders; optional, mainland mobile numbers only.
 */
phone: string | null, };

export type AppointmentState = "booked" | "cancelled" | "checked_in" | "no_show";

export type Appointment = { id: string, hallId: string, code: string, matterId: string, day: string, start: string, end: string, 
/**
 * Masked (`138****5678`): the server keeps the number sealed.
 */
phone: string | null, state: AppointmentState, bookedAt: string, cancelledAt: string | null, checkedInAt: string | null, 
/**
 * The ticket the check-in issued.
 */
ticketId: string | null, 
/**
 * When the no-show was recorded (it is recorded when first noticed, not at the deadline).
 */
noShowAt: string | null, };

export type CheckIn = { code: string, };

export type SyncConnection = "connecting" | "online" | "offline" | "refused";

export type RejectedChange = { seq: number, 
/**
 * `window`, `matter`, `binding`, …
 */
entity: string, key: string, 
/**
 * `code: message` as the server gave it.
 */
reason: string, 
/**
 * When the change was made on this PC.
 */
createdAt: string, };

export type SyncProgress = { done: number, total: number, };

export type SyncStatus = { serverUrl: string, 
/**
 * Whether the server runs inside this app (the embedded default) or elsewhere.
 */
embedded: boolean, connection: SyncConnection, 
/**
 * Changes made on this PC that the server has not acknowledged yet.
 */
pending: number, rejected: Array<RejectedChange>, 
/**
 * The last time a push or pull went through (RFC 3339).
 */
lastSyncAt: string | null, 
/**
 * Why the last attempt failed, for a person.
 */
lastError: string | null, 
/**
 * Set while pulling a long backlog of ticket events.
 */
progress: SyncProgress | null, 
/**
 * Ticket events held locally, by the server's numbering (the last one).
 */
eventsCursor: number, changesCursor: number, };

export type AlertLevel = "normal" | "warning" | "alarm";

export type Thresholds = { waitingWarning: number, waitingAlarm: number, 
/**
 * Minutes.
 */
waitWarningMin: number, waitAlarmMin: number, };

export type ThresholdOverride = { subjectId: string, thresholds: Thresholds, };

export type ThresholdSettings = { windowDefault: Thresholds, matterDefault: Thresholds, windows: Array<ThresholdOverride>, matters: Array<ThresholdOverride>, 
/**
 * After a notification for a window or matter, no other for it for this many minutes.
 */
quietMin: number, };

export type CurrentTicket = { ticketId: string, 
/**
 * As printed and announced, e.g. `A012`.
 */
number: string, matterId: string, matterName: string, 
/**
 * Called or serving.
 */
state: TicketState, 
/**
 * Since when it is at the window (its latest call).
 */
since: string, forSecs: number, };

export type WindowTile = { windowId: string, number: string, name: string, state: WindowState, position: number, 
/**
 * Who sits there today.
 */
staffName: string | null, current: CurrentTicket | null, 
/**
 * Waiting tickets this window may call (its matters, primary or overflow, and tickets
 * transferred to it).
 */
waiting: number, longestWaitSecs: number | null, averageWaitSecs: number | null, servedToday: number, level: AlertLevel, };

export type MatterQueue = { matterId: string, name: string, departmentName: string, waiting: number, longestWaitSecs: number | null, averageWaitSecs: number | null, 
/**
 * Windows bound to it (primary or overflow), in floor order.
 */
windowIds: Array<string>, 
/**
 * Of those, the ones open now.
 */
openWindows: number, level: AlertLevel, };

export type HallTotals = { waiting: number, issuedToday: number, servedToday: number, noShowsToday: number, 
/**
 * Issue → first call, over tickets called today.
 */
averageWaitTodaySecs: number | null, 
/**
 * Good ratings / ratings today, 0–1; None until ratings reach the desktop.
 */
satisfactionToday: number | null, openPoorRatings: number | null, };

export type HourFigures = { 
/**
 * 0–23, hall time.
 */
hour: number, arrivals: number, served: number, };

export type WaitingPoint = { at: string, waiting: number, };

export type SuggestionKind = "open_window" | "bind_overflow";

export type Suggestion = { kind: SuggestionKind, matterId: string, matterName: string, windowId: string, windowNumber: string, 
/**
 * The matter's queue that prompts it.
 */
waiting: number, longestWaitSecs: number | null, 
/**
 * What the window is doing now: people waiting for it (0 = idle).
 */
windowWaiting: number, };

export type AlertSubject = "window" | "matter";

export type Alert = { subject: AlertSubject, subjectId: string, 
/**
 * Window number or matter name.
 */
label: string, level: AlertLevel, waiting: number, longestWaitSecs: number | null, };

export type Dashboard = { 
/**
 * The hall day shown (UTC+8), `YYYY-MM-DD`.
 */
day: string, 
/**
 * When it was computed.
 */
at: string, 
/**
 * The newest ticket event held (None: none today). With sync offline this says how old
 * the picture is.
 */
lastEventAt: string | null, tiles: Array<WindowTile>, matters: Array<MatterQueue>, totals: HallTotals, hours: Array<HourFigures>, waitingSeries: Array<WaitingPoint>, alerts: Array<Alert>, suggestions: Array<Suggestion>, 
/**
 * The desktop's dashboard feed numbers the pictures it sends (0: computed on request, not
 * one of the feed's), so the UI knows which picture a [`DashboardDelta`] applies to.
 */
seq: number, };

export type DashboardDelta = { 
/**
 * This picture's number.
 */
seq: number, 
/**
 * The picture it applies to; a UI holding another one reads the whole dashboard again.
 */
baseSeq: number, day: string, at: string, lastEventAt: string | null, 
/**
 * Tiles that changed or are new.
 */
tiles: Array<WindowTile>, 
/**
 * Every window id in floor order, when the set or the order changed.
 */
tileOrder: Array<string> | null, matters: Array<MatterQueue>, 
/**
 * Every matter id in display order, when the set or the order changed.
 */
matterOrder: Array<string> | null, totals: HallTotals | null, hours: Array<HourFigures> | null, waitingSeries: Array<WaitingPoint> | null, alerts: Array<Alert> | null, suggestions: Array<Suggestion> | null, };

export type AlarmNotice = { subject: AlertSubject, subjectId: string, label: string, waiting: number, longestWaitSecs: number | null, };

export type CaseState = "new" | "verifying" | "rectifying" | "rectified" | "called_back" | "closed" | "appealed" | "appeal_upheld";

export type CaseActionKind = "verify" | "start_rectifying" | "mark_rectified" | "call_back" | "close" | "appeal" | "uphold_appeal" | "reject_appeal" | "reassign";

export type CaseAssigneeKind = "department" | "staff";

export type CaseAssignee = { kind: CaseAssigneeKind, id: string, 
/**
 * The name as shown when assigned, so history reads right after a rename.
 */
name: string, };

export type CaseAction = { "type": "verify" } | { "type": "start_rectifying" } | { "type": "mark_rectified" } | { "type": "call_back", reached: boolean, satisfied: boolean | null, } | { "type": "close" } | { "type": "appeal", reason: string, } | { "type": "uphold_appeal", reason: string, } | { "type": "reject_appeal", reason: string, } | { "type": "reassign", assignee: CaseAssignee, };

export type CaseAttachment = { name: string, sha256: string, size: number, };

export type CaseStep = { action: CaseAction, 
/**
 * Who did it (staff id or name as the store records operators).
 */
actor: string, at: string, note: string | null, attachments: Array<CaseAttachment>, };

export type CaseTransition = { from: CaseState, to: CaseState, step: CaseStep, };

export type CaseRules = { profile: string, rectifyWorkingDays: number, dueSoonWorkingDays: number, closeRequiresCallBack: boolean, };

export type CallBackRecord = { at: string, by: string, reached: boolean, satisfied: boolean | null, };

export type AppealDecision = { upheld: boolean, reason: string, by: string, at: string, };

export type AppealRecord = { reason: string, filedBy: string, filedAt: string, decision: AppealDecision | null, };

export type CaseDeadline = { "status": "known", date: string, } | { "status": "unpublished", year: number, 
/**
 * Working days counted before the first unknown day.
 */
counted: number, 
/**
 * Working days the limit asks for.
 */
required: number, 
/**
 * The deadline is on or after this day, whatever the notice will say.
 */
earliest: string, };

export type RectificationCase = { ratingId: string, 
/**
 * Whether the citizen left a name and number: only they can be called back.
 */
realName: boolean, state: CaseState, assignee: CaseAssignee, openedAt: string, rules: CaseRules, deadline: CaseDeadline, 
/**
 * The latest rectification; cleared when a dissatisfied return visit reopens the work.
 */
rectifiedAt: string | null, 
/**
 * The latest return visit (attempt); cleared on reopening, like `rectified_at`.
 */
calledBackAt: string | null, callBack: CallBackRecord | null, closedAt: string | null, appeal: AppealRecord | null, 
/**
 * The steps in order.
 */
history: Array<CaseTransition>, };

export type DeadlineProfile = { 
/**
 * Shown to the supervisor and kept on each case, so a case says which rule it was opened under.
 */
name: string, 
/**
 * Working days from the day a case is opened (see core's `calendar` for the counting
 * convention).
 */
rectifyWorkingDays: number, 
/**
 * The return-visit rate the hall reports against (国办发〔2019〕51号: 100 % of real-name
 * poor ratings).
 */
callBackTargetPct: number, 
/**
 * A case is "due soon" when this many working days or fewer are left (0: only on the day).
 */
dueSoonWorkingDays: number, 
/**
 * Whether a real-name case must have a return-visit record before it is closed. Anonymous
 * ratings can never be called back, so they never need one.
 */
closeRequiresCallBack: boolean, };

export type CaseSummary = { id: string, ratingId: string, state: CaseState, assignee: CaseAssignee, openedAt: string, 
/**
 * The hall day the case was opened (the rating's), `YYYY-MM-DD`.
 */
openedDay: string, deadline: CaseDeadline, 
/**
 * None: only the unpublished holiday notice can tell.
 */
overdue: boolean | null, dueSoon: boolean | null, workingDaysLeft: number | null, unread: boolean, 
/**
 * Appeal upheld: out of the statistics.
 */
excluded: boolean, exclusionReason: string | null, ticketNumber: string, 
/**
 * Window number (A03) when the window is known here.
 */
windowNumber: string | null, windowName: string | null, staffName: string | null, matterName: string | null, departmentName: string | null, level: RatingLevel, reasons: Array<string>, comment: string, 
/**
 * When the rating was given (RFC 3339).
 */
ratedAt: string, };

export type LocalRating = { id: string, 
/**
 * The server's rating seq (increasing, not dense).
 */
seq: number, 
/**
 * The hall's date (UTC+8) of `at`, `YYYY-MM-DD`.
 */
hallDay: string, ticketId: string, ticketNumber: string, windowId: string, matterId: string, 
/**
 * Who sat at the window that hall day, by this PC's seating when the rating arrived.
 */
staffId: string | null, level: RatingLevel, reasons: Array<string>, comment: string, at: string, };

export type CaseDetail = { summary: CaseSummary, rating: LocalRating, case: RectificationCase, allowedActions: Array<CaseActionKind>, evidence: Array<CaseAttachment>, };

export type CaseAlerts = { overdue: Array<CaseSummary>, dueSoon: Array<CaseSummary>, };

export type InboxFilter = { state?: CaseState, 
/**
 * Only cases not yet opened in the inbox.
 */
unread?: boolean, 
/**
 * Only cases past their deadline and not rectified.
 */
overdue?: boolean, 
/**
 * Only cases within the profile's due-soon working days.
 */
dueSoon?: boolean, 
/**
 * Leave out closed and appeal-upheld cases.
 */
openOnly?: boolean, offset?: number, 
/**
 * Absent or 0: the default page (100).
 */
limit?: number, };

export type CasesChanged = { unread: number, };

export type CaseFocus = { caseId: string, };

export type DataEntity = "windows" | "catalog" | "bindings" | "staff" | "roster" | "thresholds" | "sms_rules" | "rating_reasons";

export type DataChanged = { entity: DataEntity, };

export type DashboardFocus = { subject: AlertSubject, subjectId: string, };

export type MoveWaitingRequest = { matterId: string, toWindowId: string, };

export type MoveWaitingOutcome = { moved: number, ticketIds: Array<string>, };

export type SmsDeliveryStatus = "pending" | "sending" | "sent" | "failed" | "skipped_quiet_hours" | "skipped_cap" | "expired" | "unknown";

export type SmsOutboxEntry = { 
/**
 * Also the idempotency key sent to the provider (Alibaba `OutId`, Tencent `SessionContext`).
 */
id: string, hallId: string, ticketId: string | null, appointmentId: string | null, 
/**
 * The rule; `test` for a supervisor's free-text test message.
 */
ruleId: string, 
/**
 * The trigger's kind (`issued`, `peopleAhead`, `called`, `missed`, `appointmentHeadsUp`), or
 * `test` for a supervisor's test message (of a rule's text, or free text).
 */
trigger: string, 
/**
 * Hall day (UTC+8), `YYYY-MM-DD`.
 */
day: string, phoneMasked: string, text: string, status: SmsDeliveryStatus, attempts: number, nextAttemptAt: string | null, provider: string | null, providerMessageId: string | null, lastErrorCode: string | null, lastError: string | null, createdAt: string, updatedAt: string, sentAt: string | null, };

export type SmsDayCount = { day: string, ruleId: string, sent: number, failed: number, 
/**
 * Pending and sending.
 */
pending: number, skippedQuietHours: number, skippedCap: number, expired: number, unknown: number, };

export type SmsCounts = { days: Array<SmsDayCount>, };

export type SmsTestRequest = { phone: string, ruleId: string | null, text: string | null, };

export type SmsTestResult = { entry: SmsOutboxEntry, };

export type SmsServiceStatus = { 
/**
 * False when the server has no SMS set up: phones given at the kiosk are then checked and
 * dropped, and nothing is sent.
 */
enabled: boolean, 
/**
 * `log`, `alibaba`, `tencent`, or `none`.
 */
provider: string, 
/**
 * The provider refused the account (credentials, signature, balance): nothing is sent
 * until `pausedUntil` or a restart with a fixed configuration.
 */
paused: boolean, pausedUntil: string | null, lastErrorCode: string | null, lastError: string | null, lastErrorAt: string | null, lastSentAt: string | null, 
/**
 * The hall's rows waiting to be sent, and those whose fate is unknown.
 */
pending: number, unknown: number, 
/**
 * Enabled rules in the hall's configuration.
 */
enabledRules: number, };

export type SmsOutboxQuery = { status?: SmsDeliveryStatus | null, 
/**
 * A rule id.
 */
rule?: string | null, 
/**
 * Hall day, `YYYY-MM-DD`.
 */
day?: string | null, };

export type SmsPreview = { 
/**
 * As the phone shows it, 【signature】 included, with the sample values.
 */
text: string, chars: number, segments: number, 
/**
 * The signature counted in `chars`.
 */
signName: string, 
/**
 * The placeholders this trigger can fill (`ticket`, `window`, …).
 */
available: Array<string>, };

export type SmsProviderKind = "alibaba" | "tencent";

export type SmsLimitKind = "perNumberPerDay" | "sameContentWithin30s" | "perTemplatePerNumberPerDay";

export type SmsBudgetWarning = { provider: SmsProviderKind, limitKind: SmsLimitKind, limit: number, 
/**
 * What the rule set implies for that limit, after the hall's own daily cap.
 */
implied: number, 
/**
 * The rules concerned, when the limit is per template or per content.
 */
ruleIds: Array<string>, };

export type SmsBudget = { 
/**
 * Messages one ticket can cause.
 */
perTicket: number, 
/**
 * Messages one citizen can cause in a day before the hall's cap.
 */
perCitizenPerDayUncapped: number, 
/**
 * The same after `dailyCapPerCitizen` — what actually reaches the provider.
 */
perCitizenPerDay: number, warnings: Array<SmsBudgetWarning>, };

export type ReportPeriodKind = "day" | "week" | "month" | "quarter" | "year" | "custom";

export type ReportPeriodInput = { kind: ReportPeriodKind, date?: string, year?: number, month?: number, quarter?: number, start?: string, end?: string, };

export type ReportPeriod = { kind: ReportPeriodKind, start: string, end: string, };

export type ReportDimension = "hall" | "window" | "staff" | "matter" | "department";

export type ReportLevelCounts = { verySatisfied: number, satisfied: number, neutral: number, dissatisfied: number, veryDissatisfied: number, };

export type ReportRow = { 
/**
 * The window/staff/matter/department id; null for the hall row, and for tickets no window,
 * staff or department was known for (e.g. still waiting).
 */
key: string | null, 
/**
 * A name for the key (window number and name, staff name…), when the store knows it.
 */
label: string | null, issued: number, served: number, noShows: number, cancelled: number, open: number, transfers: number, waitCount: number, waitSumSecs: number, avgWaitSecs: number | null, 
/**
 * At bucket resolution (core's `reports::hist`).
 */
p90WaitSecs: number | null, serviceCount: number, serviceSumSecs: number, avgServiceSecs: number | null, p90ServiceSecs: number | null, 
/**
 * Ratings counted (upheld appeals left out).
 */
ratings: number, levels: ReportLevelCounts, 
/**
 * 非常满意 + 满意.
 */
good: number, 
/**
 * 不满意 + 非常不满意.
 */
poor: number, 
/**
 * Ratings left out because an appeal was upheld.
 */
excluded: number, rectified: number, rectifiedOnTime: number, calledBack: number, 
/**
 * 主动评价率 = ratings / served.
 */
ratingRate: number | null, 
/**
 * 好评率 = good / ratings.
 */
goodRate: number | null, 
/**
 * 差评率 = poor / ratings.
 */
poorRate: number | null, 
/**
 * 差评整改率 = rectified / poor.
 */
rectificationRate: number | null, 
/**
 * 按期整改率 = rectified on time / poor.
 */
onTimeRectificationRate: number | null, 
/**
 * 回访率 = called back / poor.
 */
callBackRate: number | null, };

export type ReportTable = { period: ReportPeriod, dimension: ReportDimension, 
/**
 * Ordered by key, the unassigned (null) row first; only keys with a ticket or a rating in
 * the period.
 */
rows: Array<ReportRow>, };

export type StarMeasure = "good_rate" | "served" | "ratings" | "poor_count" | "poor_rate" | "rating_rate";

export type SortDirection = "asc" | "desc";

export type StarCriterion = { measure: StarMeasure, direction: SortDirection, };

export type StarRule = { 
/**
 * Only staff who served at least this many tickets in the month can be a star.
 */
minServices: number, 
/**
 * … and received at least this many ratings (a 100 % good rate on 2 ratings says little).
 */
minRatings: number, 
/**
 * The ranking order, e.g. good rate ↓, then served ↓, then poor count ↑.
 */
order: Array<StarCriterion>, 
/**
 * How many stars a month has (staff tied with the last one are stars too).
 */
topN: number, };

export type Star = { 
/**
 * 1 for the first; staff tied on every criterion share a rank (1, 1, 3).
 */
rank: number, staffId: string, 
/**
 * The staff member's name; their id when the store no longer knows them.
 */
staffName: string, 
/**
 * The department's name; None for the hall's own (综窗) staff.
 */
department: string | null, served: number, ratings: number, poor: number, 
/**
 * 0.0–1.0.
 */
goodRate: number, 
/**
 * 工号; None when the store no longer knows them (or a record from before it was kept).
 */
employeeNo: string | null, 
/**
 * The window they are seated at today, when they are.
 */
windowNumber: string | null, 
/**
 * The good rate on a five-star scale (1–5), the grade a rating pad shows (core
 * `stars::grade`); 0 in a record from before it was kept.
 */
grade: number, };

export type MonthlyStars = { year: number, 
/**
 * 1–12.
 */
month: number, stars: Array<Star>, 
/**
 * The rule they were ranked with.
 */
rule: StarRule, };

export type StarMonth = { 
/**
 * `YYYY-MM`, the record's key.
 */
month: string, stars: Array<Star>, };

export type Role = "system_admin" | "hall_admin" | "shift_lead" | "supervisor" | "window_staff";

export type HallRole = { hallId: string | null, role: Role, };

export type Account = { id: string, 
/**
 * What the person types to sign in; unique on the server.
 */
login: string, 
/**
 * The name shown in the header, the audit log and case steps.
 */
displayName: string, 
/**
 * The staff record (工号) this person is, if they also work at a window.
 */
staffId: string | null, grants: Array<HallRole>, 
/**
 * A disabled account cannot sign in, and its queued offline changes are refused.
 */
active: boolean, 
/**
 * Set by an administrator's reset: the next sign-in must choose a new password first.
 */
mustChangePassword: boolean, };

export type SignIn = { login: string, password: string, };

export type Session = { token: string, account: Account, 
/**
 * RFC 3339; the token is refused after it unless used again before (each use slides it).
 */
idleExpiresAt: string, 
/**
 * RFC 3339; the token is refused after it whatever its use.
 */
absoluteExpiresAt: string, };

export type PasswordChange = { current: string, new: string, };

export type AccountInput = { login: string, displayName: string, staffId: string | null, grants: Array<HallRole>, password: string, };

export type AccountUpdate = { displayName: string | null, 
/**
 * `Some(None)` (JSON null) unlinks the staff record.
 */
staffId?: string | null, grants: Array<HallRole> | null, active: boolean | null, };

export type PasswordReset = { password: string, };

export type ServerAuditEntry = { 
/**
 * Increasing on the server.
 */
seq: number, at: string, 
/**
 * The account acting (or the login tried, for a refused sign-in); null for the break-glass
 * token and the CLI.
 */
accountId: string | null, 
/**
 * The display name at the time (or the login tried); `cli` / `break-glass` otherwise.
 */
actorName: string, 
/**
 * The peer address the request came from (`cli` for the command line).
 */
address: string, 
/**
 * The hall the action concerns, if one.
 */
hallId: string | null, 
/**
 * `<area>.<verb>`, e.g. `session.sign_in`, `session.sign_in_refused`, `account.create`,
 * `device.revoke`, `config.put`.
 */
action: string, 
/**
 * What it was done to (an account id, a device id, a hall id …).
 */
target: string | null, before: unknown | null, after: unknown | null, };

export type ServerAuditPage = { entries: Array<ServerAuditEntry>, 
/**
 * Pass as `before` for the next page; null at the end.
 */
nextBefore: number | null, };
