// What an audit entry's before/after snapshots say, reduced to what a supervisor reads: the fields
// that changed, or for a reorder the window numbers in their old and new order.
import type { AuditEntry } from '../api'

export interface FieldChange {
  field: string
  before: unknown
  after: unknown
}

export type AuditDetail =
  | { kind: 'order'; before: string[]; after: string[] }
  | { kind: 'fields'; mode: 'create' | 'delete' | 'change'; changes: FieldChange[] }

/** Record bookkeeping, not something the supervisor edited. */
const HIDDEN = new Set(['id', 'createdAt', 'updatedAt', 'position'])
/** The form's order; other fields follow alphabetically. */
const FIELD_ORDER = ['number', 'name', 'zone', 'kind', 'state']

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** A list of windows (records, numbers or ids), bare or in the first array field of an object. */
function orderOf(v: unknown, numberOfId: (id: string) => string | undefined): string[] | null {
  let list: unknown[] | null = null
  if (Array.isArray(v)) list = v
  else if (isObject(v)) {
    const arr = Object.values(v).find(Array.isArray)
    if (arr) list = arr
  }
  if (!list) return null
  return list.map((item) => {
    if (typeof item === 'string') return numberOfId(item) ?? item
    if (isObject(item)) {
      if (typeof item.number === 'string') return item.number
      if (typeof item.id === 'string') return numberOfId(item.id) ?? item.id
    }
    return JSON.stringify(item)
  })
}

function sortFields(a: string, b: string): number {
  const ia = FIELD_ORDER.indexOf(a)
  const ib = FIELD_ORDER.indexOf(b)
  if (ia >= 0 || ib >= 0) return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib)
  return a.localeCompare(b)
}

export function auditDetail(
  entry: AuditEntry,
  numberOfId: (id: string) => string | undefined = () => undefined,
): AuditDetail {
  const before = entry.before ?? null
  const after = entry.after ?? null
  if (entry.action.endsWith('.reorder')) {
    const b = orderOf(before, numberOfId)
    const a = orderOf(after, numberOfId)
    if (b || a) return { kind: 'order', before: b ?? [], after: a ?? [] }
  }
  const b = isObject(before) ? before : {}
  const a = isObject(after) ? after : {}
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].filter((k) => !HIDDEN.has(k))
  const changes = keys
    .filter((k) => JSON.stringify(b[k]) !== JSON.stringify(a[k]))
    .sort(sortFields)
    .map((field) => ({ field, before: b[field], after: a[field] }))
  const mode = before === null && after !== null ? 'create' : after === null && before !== null ? 'delete' : 'change'
  return { kind: 'fields', mode, changes }
}
