import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { listen, type UnlistenFn } from '@tauri-apps/api/event'
import * as api from '../api'
import { latestRead, type LoadStatus } from './requests'
import type {
  CaseAction,
  CaseAttachment,
  CaseDetail,
  CaseFocus,
  CasesChanged,
  CaseSummary,
  CommandError,
  InboxFilter,
} from '../api'

export type CaseFilterKey = 'all' | 'unread' | 'open' | 'overdue' | 'dueSoon' | 'closed' | 'appealed'

export const CASE_FILTERS: CaseFilterKey[] = ['all', 'unread', 'open', 'overdue', 'dueSoon', 'closed', 'appealed']

/** The inbox filters the shell takes for each tab; "appealed" reads both appeal states. */
const FILTERS: Record<CaseFilterKey, InboxFilter[]> = {
  all: [{}],
  unread: [{ unread: true }],
  open: [{ openOnly: true }],
  overdue: [{ overdue: true }],
  dueSoon: [{ dueSoon: true }],
  closed: [{ state: 'closed' }],
  appealed: [{ state: 'appealed' }, { state: 'appeal_upheld' }],
}

/** The newest first: the inbox's order. */
const newestFirst = (a: CaseSummary, b: CaseSummary) => (a.openedAt < b.openedAt ? 1 : a.openedAt > b.openedAt ? -1 : 0)

const inShell = () => typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window

/**
 * The poor-rating inbox (差评整改台账): the list under the chosen filter, the case open in the
 * detail pane, and the unread counter the navigation shows. The shell's `cases-changed` {unread}
 * keeps the counter (and an open inbox) current; `case-focus` {caseId} (a notification clicked)
 * opens that case from any page.
 */
export const useRectificationStore = defineStore('rectification', () => {
  const filter = ref<CaseFilterKey>('all')
  const items = shallowRef<CaseSummary[]>([])
  const status = ref<LoadStatus>('idle')
  const loadError = ref<CommandError | null>(null)
  const unread = ref(0)

  const selectedId = ref<string | null>(null)
  const detail = shallowRef<CaseDetail | null>(null)
  const detailStatus = ref<LoadStatus>('idle')
  const detailError = ref<CommandError | null>(null)

  /** Whether the inbox page is showing (it then follows `cases-changed`). */
  const pageOpen = ref(false)

  const load = latestRead(
    status,
    loadError,
    'first',
    () => Promise.all(FILTERS[filter.value].map((f) => api.listPoorRatings({ ...f, limit: 500 }))),
    (parts) => {
      items.value = parts.length === 1 ? parts[0] : parts.flat().sort(newestFirst)
    },
  )

  function setFilter(f: CaseFilterKey) {
    if (filter.value === f) return
    filter.value = f
    status.value = 'loading'
    void load()
  }

  async function refreshUnread(): Promise<void> {
    try {
      unread.value = await api.unreadCaseCount()
    } catch {
      // The counter keeps its last value; the next event corrects it.
    }
  }

  let detailSeq = 0
  /** Opens a case in the detail pane and marks it read. */
  async function open(caseId: string): Promise<void> {
    const seq = ++detailSeq
    selectedId.value = caseId
    if (detail.value?.summary.id !== caseId) detail.value = null
    detailStatus.value = 'loading'
    try {
      const d = await api.getCase(caseId)
      if (seq !== detailSeq) return
      detail.value = d
      detailError.value = null
      detailStatus.value = 'ready'
      if (d.summary.unread) {
        unread.value = await api.markCaseRead(caseId)
        if (seq === detailSeq && detail.value) {
          detail.value = { ...detail.value, summary: { ...detail.value.summary, unread: false } }
        }
        items.value = items.value.map((s) => (s.id === caseId ? { ...s, unread: false } : s))
      }
    } catch (e) {
      if (seq !== detailSeq) return
      detailError.value = api.toCommandError(e)
      detailStatus.value = 'error'
    }
  }

  function closeDetail() {
    detailSeq += 1
    selectedId.value = null
    detail.value = null
    detailStatus.value = 'idle'
    detailError.value = null
  }

  /** Takes a step; the pane and the list row show the case as it is after. Throws the refusal. */
  async function act(action: CaseAction, note: string | null, attachments: CaseAttachment[]): Promise<CaseDetail> {
    const id = selectedId.value
    if (!id) throw api.toCommandError('no case is open')
    const d = await api.caseAction(id, action, note ?? undefined, attachments.length > 0 ? attachments : undefined)
    if (selectedId.value === id) detail.value = d
    items.value = items.value.map((s) => (s.id === id ? d.summary : s))
    void load()
    return d
  }

  /** Copies a chosen file into the case's evidence; the pane re-reads the case. */
  async function attach(path: string): Promise<CaseAttachment> {
    const id = selectedId.value
    if (!id) throw api.toCommandError('no case is open')
    const a = await api.attachEvidence(id, path)
    if (selectedId.value === id) {
      try {
        detail.value = await api.getCase(id)
      } catch {
        // The attachment is recorded; the pane shows it at the next read.
      }
    }
    return a
  }

  /** A notification asked for this case: the view opens it (it may not be mounted yet). */
  const focusRequest = ref<{ caseId: string; seq: number } | null>(null)
  let focusSeq = 0

  let listening = false
  const unlisteners: UnlistenFn[] = []

  /** Subscribes once (App.vue, at start): the nav counter lives on every page. */
  async function startListening(onFocus: () => void): Promise<void> {
    if (listening) return
    listening = true
    void refreshUnread()
    if (!inShell()) return
    unlisteners.push(
      await listen<CasesChanged>('cases-changed', (e) => {
        unread.value = e.payload.unread
        if (pageOpen.value) {
          void load()
          const id = selectedId.value
          if (id && detailStatus.value === 'ready') {
            api
              .getCase(id)
              .then((d) => {
                if (selectedId.value === id) detail.value = d
              })
              .catch(() => undefined)
          }
        }
      }),
    )
    unlisteners.push(
      await listen<CaseFocus>('case-focus', (e) => {
        focusSeq += 1
        focusRequest.value = { caseId: e.payload.caseId, seq: focusSeq }
        onFocus()
      }),
    )
  }

  const selected = computed(() => items.value.find((s) => s.id === selectedId.value) ?? null)

  return {
    filter,
    items,
    status,
    loadError,
    unread,
    selectedId,
    selected,
    detail,
    detailStatus,
    detailError,
    pageOpen,
    focusRequest,
    load,
    setFilter,
    refreshUnread,
    open,
    closeDetail,
    act,
    attach,
    startListening,
  }
})
