// The matter fields a catalog column can supply, and how their values read in the preview.
import type { ColumnMapping, MatterField } from '../../api'

/** Every field, in the order the mapping step lists them. */
export const MATTER_FIELDS: readonly MatterField[] = [
  'catalogCode',
  'name',
  'department',
  'departmentCode',
  'matterType',
  'required',
  'timeLimitDays',
  'ticketPrefix',
  'state',
]

/** The columns an import cannot do without (MatterField::REQUIRED on the Rust side). */
export const REQUIRED_FIELDS: readonly MatterField[] = ['catalogCode', 'name', 'department']

export const isRequiredField = (f: MatterField) => REQUIRED_FIELDS.includes(f)

export function isMatterField(f: unknown): f is MatterField {
  return typeof f === 'string' && (MATTER_FIELDS as readonly string[]).includes(f)
}

export function emptyMapping(): ColumnMapping {
  return {
    catalogCode: null,
    name: null,
    department: null,
    departmentCode: null,
    matterType: null,
    required: null,
    timeLimitDays: null,
    ticketPrefix: null,
    state: null,
  }
}

const YES = new Set(['true', '1', 'yes', 'y', '是', '必进'])
const NO = new Set(['false', '0', 'no', 'n', '否', '非必进'])

type Translate = (key: string, named?: Record<string, unknown>) => string

/** A field's value as a person reads it: yes/no, states and day counts in the current language. */
export function formatFieldValue(field: MatterField, raw: string, t: Translate): string {
  const v = raw.trim()
  if (v === '') return t('import.values.empty')
  const lower = v.toLowerCase()
  if (field === 'required') {
    if (YES.has(lower)) return t('import.values.yes')
    if (NO.has(lower)) return t('import.values.no')
  }
  if (field === 'state') {
    if (lower === 'active') return t('import.values.active')
    if (lower === 'retired') return t('import.values.retired')
  }
  if (field === 'timeLimitDays' && /^\d+$/.test(v)) {
    const n = Number(v)
    return n === 0 ? t('import.values.onTheSpot') : t('import.values.days', { n })
  }
  return v
}
