//! Wire types of Hallkeeper: what the desktop shell hands its UI and what the desktop and the
//! central server exchange. Only plain data lives here (serde + TypeScript bindings); rules and
//! storage live in `hallkeeper-core`.
//!
//! The UI's TypeScript types are generated from these definitions (`ui/src/api/types.gen.ts`),
//! so a field is defined once. `tests/typescript_bindings.rs` fails when the file is stale.

mod access;
mod appointment;
mod audit;
mod catalog;
mod coverage;
mod dashboard;
mod device;
mod device_front;
mod error;
pub mod events;
mod import;
mod queue;
mod rectification;
mod reports;
mod settings;
mod sms;
mod staff;
mod stars;
mod sync;
mod sync_status;
mod terminal;
mod window;

pub use access::{
    Account, AccountInput, AccountUpdate, HallRole, PasswordChange, PasswordReset, Role, ServerAuditEntry,
    ServerAuditPage, Session, SignIn,
};
pub use appointment::{
    Appointment, AppointmentSlot, AppointmentSlotsInput, AppointmentState, BookAppointment, CheckIn,
    SlotInput,
};
pub use audit::{AuditEntry, AuditPage};
pub use catalog::{
    BindInput, Binding, BindingPriority, BindingsChange, Catalog, Department, Matter, MatterState,
    UnbindInput,
};
pub use coverage::{CoverageReport, Finding, FindingGroup, FindingKind, Severity, SubjectKind};
pub use dashboard::{
    AlarmNotice, Alert, AlertLevel, AlertSubject, CurrentTicket, Dashboard, DashboardDelta, HallTotals,
    HourFigures, MatterQueue, Suggestion, SuggestionKind, ThresholdOverride, ThresholdSettings, Thresholds,
    WaitingPoint, WindowTile,
};
pub use device::{
    CallerView, Device, DeviceCreated, DeviceInput, DeviceKind, DeviceUpdate, DisplayCall, DisplayFeed,
    DisplayWindow, FinishedAndCalled, Hall, HallConfig, HallInput, IssuedTicket, KioskDepartment,
    KioskMatter, PadStaff, PadTicket, PadView, PairDevice, PairingCode, PairingShown, Rating, RatingInput,
    RatingLevel, TakeTicket, TransferRequest, WindowStateRequest,
};
pub use device_front::{FollowView, KioskHome};
pub use error::ErrorBody;
pub use events::{
    CaseFocus, CasesChanged, DashboardFocus, DataChanged, DataEntity, MoveWaitingOutcome, MoveWaitingRequest,
};
pub use import::{
    ColumnMapping, DepartmentChange, FieldChange, ImportFormat, ImportInspection, ImportOutcome,
    ImportPreview, ImportProgress, ImportRequest, ImportStage, MatterChange, MatterField, MatterSummary,
    TextEncoding,
};
pub use queue::{
    MatterQueueTotals, NoShowReason, PriorityClass, QueueConfig, QueueMatter, QueueSettings, QueueWindow,
    Ticket, TicketCounts, TicketEvent, TicketEventKind, TicketRefusal, TicketState, TransferTarget,
    WindowQueueTotals,
};
pub use rectification::rectification_limits;
pub use rectification::{
    AppealDecision, AppealRecord, CallBackRecord, CaseAction, CaseActionKind, CaseAlerts, CaseAssignee,
    CaseAssigneeKind, CaseAttachment, CaseDeadline, CaseDetail, CaseRules, CaseState, CaseStep, CaseSummary,
    CaseTransition, DeadlineProfile, InboxFilter, LocalRating, RectificationCase,
};
pub use reports::{
    ReportDimension, ReportLevelCounts, ReportPeriod, ReportPeriodInput, ReportPeriodKind, ReportRow,
    ReportTable,
};
pub use settings::{
    Locale, RatingReasons, RatingReasonsProblem, Settings, RATING_REASONS_MAX, RATING_REASONS_MIN,
    RATING_REASON_MAX_CHARS,
};
pub use sms::{
    ClockTime, ClockTimeInvalid, QuietHours, SmsBudget, SmsBudgetWarning, SmsCounts, SmsDayCount,
    SmsDeliveryStatus, SmsLimitKind, SmsOutboxEntry, SmsOutboxQuery, SmsPreview, SmsProviderKind, SmsRule,
    SmsRuleSet, SmsServiceStatus, SmsTestRequest, SmsTestResult, SmsTrigger,
};
pub use staff::{Roster, Seat, SeatInput, Staff, StaffInput};
pub use stars::{MonthlyStars, SortDirection, Star, StarCriterion, StarMeasure, StarMonth, StarRule};
pub use sync::{
    EventsPage, PullResponse, PushRequest, PushResponse, RatingRecord, RatingsPage, RejectedOp, SyncChange,
    SyncHeads, SyncOp, TicketEventRecord, EVIDENCE_MAX_BYTES, SYNC_ENTITIES, SYNC_SCHEMA_VERSION,
    SYNC_VERSION_HEADER,
};
pub use sync_status::{RejectedChange, SyncConnection, SyncProgress, SyncStatus};
pub use terminal::{
    TerminalPerson, TerminalSession, TerminalSignIn, TerminalView, TerminalWindow, TransferMatter,
    TransferTargets, TransferWindow,
};
pub use window::{Window, WindowInput, WindowKind, WindowState};

/// Every type the UI sees, in the order they are written to `types.gen.ts`.
pub fn typescript_declarations() -> String {
    use ts_rs::TS;
    let cfg = ts_rs::Config::new().with_large_int("number");
    let decls = [
        WindowKind::decl(&cfg),
        WindowState::decl(&cfg),
        Window::decl(&cfg),
        WindowInput::decl(&cfg),
        AuditEntry::decl(&cfg),
        AuditPage::decl(&cfg),
        Locale::decl(&cfg),
        Settings::decl(&cfg),
        RatingReasons::decl(&cfg),
        ErrorBody::decl(&cfg),
        Department::decl(&cfg),
        MatterState::decl(&cfg),
        Matter::decl(&cfg),
        BindingPriority::decl(&cfg),
        Binding::decl(&cfg),
        Catalog::decl(&cfg),
        BindInput::decl(&cfg),
        UnbindInput::decl(&cfg),
        BindingsChange::decl(&cfg),
        ImportFormat::decl(&cfg),
        TextEncoding::decl(&cfg),
        MatterField::decl(&cfg),
        ColumnMapping::decl(&cfg),
        ImportInspection::decl(&cfg),
        ImportRequest::decl(&cfg),
        MatterSummary::decl(&cfg),
        FieldChange::decl(&cfg),
        MatterChange::decl(&cfg),
        DepartmentChange::decl(&cfg),
        ImportPreview::decl(&cfg),
        ImportOutcome::decl(&cfg),
        ImportStage::decl(&cfg),
        ImportProgress::decl(&cfg),
        Severity::decl(&cfg),
        FindingKind::decl(&cfg),
        SubjectKind::decl(&cfg),
        Finding::decl(&cfg),
        FindingGroup::decl(&cfg),
        CoverageReport::decl(&cfg),
        Staff::decl(&cfg),
        StaffInput::decl(&cfg),
        Seat::decl(&cfg),
        Roster::decl(&cfg),
        SeatInput::decl(&cfg),
        PriorityClass::decl(&cfg),
        TicketState::decl(&cfg),
        NoShowReason::decl(&cfg),
        TransferTarget::decl(&cfg),
        TicketEventKind::decl(&cfg),
        TicketEvent::decl(&cfg),
        Ticket::decl(&cfg),
        QueueWindow::decl(&cfg),
        QueueMatter::decl(&cfg),
        QueueSettings::decl(&cfg),
        QueueConfig::decl(&cfg),
        TicketRefusal::decl(&cfg),
        TicketCounts::decl(&cfg),
        MatterQueueTotals::decl(&cfg),
        WindowQueueTotals::decl(&cfg),
        DeviceKind::decl(&cfg),
        Hall::decl(&cfg),
        HallInput::decl(&cfg),
        SmsTrigger::decl(&cfg),
        SmsRule::decl(&cfg),
        QuietHours::decl(&cfg),
        SmsRuleSet::decl(&cfg),
        HallConfig::decl(&cfg),
        DeviceInput::decl(&cfg),
        Device::decl(&cfg),
        DeviceCreated::decl(&cfg),
        PairingCode::decl(&cfg),
        PairDevice::decl(&cfg),
        PairingShown::decl(&cfg),
        DeviceUpdate::decl(&cfg),
        KioskMatter::decl(&cfg),
        KioskDepartment::decl(&cfg),
        TakeTicket::decl(&cfg),
        IssuedTicket::decl(&cfg),
        KioskHome::decl(&cfg),
        FollowView::decl(&cfg),
        TransferRequest::decl(&cfg),
        WindowStateRequest::decl(&cfg),
        CallerView::decl(&cfg),
        FinishedAndCalled::decl(&cfg),
        TerminalSignIn::decl(&cfg),
        TerminalWindow::decl(&cfg),
        TerminalPerson::decl(&cfg),
        TerminalSession::decl(&cfg),
        TerminalView::decl(&cfg),
        TransferMatter::decl(&cfg),
        TransferWindow::decl(&cfg),
        TransferTargets::decl(&cfg),
        RatingLevel::decl(&cfg),
        RatingInput::decl(&cfg),
        Rating::decl(&cfg),
        PadView::decl(&cfg),
        PadStaff::decl(&cfg),
        PadTicket::decl(&cfg),
        DisplayWindow::decl(&cfg),
        DisplayCall::decl(&cfg),
        DisplayFeed::decl(&cfg),
        SlotInput::decl(&cfg),
        AppointmentSlotsInput::decl(&cfg),
        AppointmentSlot::decl(&cfg),
        BookAppointment::decl(&cfg),
        AppointmentState::decl(&cfg),
        Appointment::decl(&cfg),
        CheckIn::decl(&cfg),
        SyncConnection::decl(&cfg),
        RejectedChange::decl(&cfg),
        SyncProgress::decl(&cfg),
        SyncStatus::decl(&cfg),
        AlertLevel::decl(&cfg),
        Thresholds::decl(&cfg),
        ThresholdOverride::decl(&cfg),
        ThresholdSettings::decl(&cfg),
        CurrentTicket::decl(&cfg),
        WindowTile::decl(&cfg),
        MatterQueue::decl(&cfg),
        HallTotals::decl(&cfg),
        HourFigures::decl(&cfg),
        WaitingPoint::decl(&cfg),
        SuggestionKind::decl(&cfg),
        Suggestion::decl(&cfg),
        AlertSubject::decl(&cfg),
        Alert::decl(&cfg),
        Dashboard::decl(&cfg),
        DashboardDelta::decl(&cfg),
        AlarmNotice::decl(&cfg),
        CaseState::decl(&cfg),
        CaseActionKind::decl(&cfg),
        CaseAssigneeKind::decl(&cfg),
        CaseAssignee::decl(&cfg),
        CaseAction::decl(&cfg),
        CaseAttachment::decl(&cfg),
        CaseStep::decl(&cfg),
        CaseTransition::decl(&cfg),
        CaseRules::decl(&cfg),
        CallBackRecord::decl(&cfg),
        AppealDecision::decl(&cfg),
        AppealRecord::decl(&cfg),
        CaseDeadline::decl(&cfg),
        RectificationCase::decl(&cfg),
        DeadlineProfile::decl(&cfg),
        CaseSummary::decl(&cfg),
        LocalRating::decl(&cfg),
        CaseDetail::decl(&cfg),
        CaseAlerts::decl(&cfg),
        InboxFilter::decl(&cfg),
        CasesChanged::decl(&cfg),
        CaseFocus::decl(&cfg),
        DataEntity::decl(&cfg),
        DataChanged::decl(&cfg),
        DashboardFocus::decl(&cfg),
        MoveWaitingRequest::decl(&cfg),
        MoveWaitingOutcome::decl(&cfg),
        SmsDeliveryStatus::decl(&cfg),
        SmsOutboxEntry::decl(&cfg),
        SmsDayCount::decl(&cfg),
        SmsCounts::decl(&cfg),
        SmsTestRequest::decl(&cfg),
        SmsTestResult::decl(&cfg),
        SmsServiceStatus::decl(&cfg),
        SmsOutboxQuery::decl(&cfg),
        SmsPreview::decl(&cfg),
        SmsProviderKind::decl(&cfg),
        SmsLimitKind::decl(&cfg),
        SmsBudgetWarning::decl(&cfg),
        SmsBudget::decl(&cfg),
        ReportPeriodKind::decl(&cfg),
        ReportPeriodInput::decl(&cfg),
        ReportPeriod::decl(&cfg),
        ReportDimension::decl(&cfg),
        ReportLevelCounts::decl(&cfg),
        ReportRow::decl(&cfg),
        ReportTable::decl(&cfg),
        StarMeasure::decl(&cfg),
        SortDirection::decl(&cfg),
        StarCriterion::decl(&cfg),
        StarRule::decl(&cfg),
        Star::decl(&cfg),
        MonthlyStars::decl(&cfg),
        StarMonth::decl(&cfg),
        Role::decl(&cfg),
        HallRole::decl(&cfg),
        Account::decl(&cfg),
        SignIn::decl(&cfg),
        Session::decl(&cfg),
        PasswordChange::decl(&cfg),
        AccountInput::decl(&cfg),
        AccountUpdate::decl(&cfg),
        PasswordReset::decl(&cfg),
        ServerAuditEntry::decl(&cfg),
        ServerAuditPage::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from crates/proto by `cargo test -p hallkeeper-proto` with\n\
         // HALLKEEPER_UPDATE_BINDINGS=1. Do not edit by hand.\n\n\
         import type { ErrorCode } from './errorCodes.gen'\n\n",
    );
    for decl in decls {
        out.push_str("export ");
        out.push_str(&decl);
        out.push_str("\n\n");
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}
