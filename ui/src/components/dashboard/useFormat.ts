// Wording of the dashboard's figures in the current language.
import { useI18n } from 'vue-i18n'
import type { AlertLevel, WindowState } from '../../api'
import { durationParts } from '../../utils/dashboard'

export function useDashboardFormat() {
  const { t } = useI18n()

  /** A wait or a service time in words (`short`: the tiles' compact form); `—` when unknown. */
  function dur(secs: number | null | undefined, short = false): string {
    const p = durationParts(secs)
    if (!p) return '—'
    const base = short ? 'dashboard.durShort' : 'dashboard.dur'
    if (p.kind === 'under') return t(`${base}.under`)
    if (p.kind === 'min') return t(`${base}.min`, { m: p.m })
    return t(`${base}.hm`, { h: p.h, m: p.m })
  }

  const level = (l: AlertLevel) => t(`dashboard.level.${l}`)
  const windowState = (s: WindowState) => t(`windows.state.${s}`)

  return { t, dur, level, windowState }
}
