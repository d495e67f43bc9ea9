// Shared by the SMS page's components: the triggers and placeholders, and how a rule's trigger
// reads in the current language.
import type { SmsDeliveryStatus, SmsTrigger } from '../../api'

export type TriggerKind = SmsTrigger['kind']

export const TRIGGER_KINDS: TriggerKind[] = ['issued', 'peopleAhead', 'called', 'missed', 'appointmentHeadsUp']

export const PLACEHOLDERS = ['ticket', 'window', 'ahead', 'wait_min', 'matter', 'hall'] as const

export const DELIVERY_STATUSES: SmsDeliveryStatus[] = [
  'pending',
  'sending',
  'sent',
  'failed',
  'skipped_quiet_hours',
  'skipped_cap',
  'expired',
  'unknown',
]

export const STATUS_TAG: Record<SmsDeliveryStatus, 'success' | 'primary' | 'warning' | 'danger' | 'info'> = {
  pending: 'primary',
  sending: 'primary',
  sent: 'success',
  failed: 'danger',
  skipped_quiet_hours: 'info',
  skipped_cap: 'warning',
  expired: 'info',
  unknown: 'warning',
}

type T = (key: string, values?: Record<string, unknown>) => string

export function triggerText(t: T, trigger: SmsTrigger): string {
  switch (trigger.kind) {
    case 'peopleAhead':
      return t('sms.triggerWithParam.peopleAhead', { n: trigger.n })
    case 'appointmentHeadsUp':
      return t('sms.triggerWithParam.appointmentHeadsUp', { m: trigger.minutesBefore })
    default:
      return t(`sms.trigger.${trigger.kind}`)
  }
}

/** Mainland mobile numbers as people type them: spaces and hyphens, an optional +86 / 0086. */
export function isMainlandMobile(input: string): boolean {
  const digits = input.trim().replace(/[\s-]/g, '')
  return /^(\+86|0086|86)?1[3-9]\d{9}$/.test(digits)
}
