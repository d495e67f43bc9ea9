// Generated from crates/proto by `cargo test -p hallkeeper-proto` with
// HALLKEEPER_UPDATE_BINDINGS=1. Do not edit by hand.

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

export type AuditEntry = { id: string, at: string, actor: string, 
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

export type CommandError = { code: string, message: string, field: string | null, };
