// The bindings board's shared state: filters, the multi-selection, the bind operations (with their
// messages) and the pointer drag. CatalogView creates it; the panel, cards and dialogs inject it.
//
// The drag is our own pointer handling (pointerdown / move / up, a floating ghost, hit-testing with
// elementFromPoint), not HTML5 drag and drop: WebDriver pointer actions produce pointer and mouse
// events only, and the catalog list is virtualised (rows are recycled), which SortableJS dislikes.
import {
  computed,
  inject,
  onBeforeUnmount,
  provide,
  reactive,
  ref,
  shallowRef,
  watch,
  type InjectionKey,
} from 'vue'
import { useI18n } from 'vue-i18n'
import { ElMessage } from 'element-plus'
import type { BindingPriority, HallWindow, Matter } from '../../api'
import { useCatalogStore } from '../../stores/catalog'
import { useWindowsStore } from '../../stores/windows'
import { showError, showSuccess } from '../../utils/notify'

export type DragPayload =
  | { kind: 'matters'; ids: string[] }
  | { kind: 'chip'; windowId: string; matterId: string; priority: BindingPriority }

export type DropTarget =
  | { kind: 'zone'; windowId: string; priority: BindingPriority }
  /** Out of the cards: the trash zone or the catalog panel (`data-drop-where`). */
  | { kind: 'remove'; where: string }

/** Pixels the pointer must travel before a press becomes a drag (a click stays a click). */
const DRAG_THRESHOLD = 4
/** Distance from a scroll container's edge where a drag scrolls it, and the speed (px/frame). */
const EDGE = 56
const EDGE_SPEED = 14

function showInfo(message: string) {
  ElMessage({ type: 'info', message, duration: 3000, grouping: true })
}

function showWarning(message: string) {
  ElMessage({ type: 'warning', message, duration: 4000, grouping: true, showClose: true })
}

/** Reads the drop target under a point from the `data-drop` attributes of the board. */
export function dropTargetAt(x: number, y: number): DropTarget | null {
  const hit = document.elementFromPoint(x, y)
  const el = hit instanceof Element ? hit.closest<HTMLElement>('[data-drop]') : null
  if (!el) return null
  const kind = el.dataset.drop
  if (kind === 'remove') return { kind: 'remove', where: el.dataset.dropWhere ?? '' }
  const windowId = el.dataset.windowId
  if (!windowId) return null
  if (kind === 'zone') {
    return { kind: 'zone', windowId, priority: el.dataset.priority === 'overflow' ? 'overflow' : 'primary' }
  }
  if (kind === 'card') return { kind: 'zone', windowId, priority: 'primary' }
  return null
}

export function createBoard() {
  const store = useCatalogStore()
  const windows = useWindowsStore()
  const { t } = useI18n()

  // ---- filters ---------------------------------------------------------------------------------
  const search = ref('')
  /** The search as applied: trimmed, lower case, a moment after the last keystroke. */
  const query = ref('')
  let searchTimer: ReturnType<typeof setTimeout> | undefined
  watch(search, (v) => {
    clearTimeout(searchTimer)
    searchTimer = setTimeout(() => {
      query.value = v.trim().toLowerCase()
    }, 120)
  })
  function setSearchNow(v: string) {
    clearTimeout(searchTimer)
    search.value = v
    query.value = v.trim().toLowerCase()
  }
  const departmentId = ref('')
  const uncoveredOnly = ref(false)

  const haystack = computed(() => store.matters.map((m) => `${m.catalogCode}\u0001${m.name}`.toLowerCase()))

  const filtered = computed<Matter[]>(() => {
    const q = query.value
    const d = departmentId.value
    const u = uncoveredOnly.value
    const list = store.matters
    const hay = haystack.value
    if (!q && !d && !u) return list
    const out: Matter[] = []
    for (let i = 0; i < list.length; i++) {
      const m = list[i]!
      if (d && m.departmentId !== d) continue
      if (q && !hay[i]!.includes(q)) continue
      if (u && !store.isUncovered(m)) continue
      out.push(m)
    }
    return out
  })
  const filtering = computed(() => !!query.value || !!departmentId.value || uncoveredOnly.value)
  const indexById = computed(() => {
    const out = new Map<string, number>()
    filtered.value.forEach((m, i) => out.set(m.id, i))
    return out
  })

  function clearFilters() {
    setSearchNow('')
    departmentId.value = ''
    uncoveredOnly.value = false
  }

  // ---- selection -------------------------------------------------------------------------------
  const selected = shallowRef<ReadonlySet<string>>(new Set())
  /** Where a Shift range starts. */
  const anchorId = ref<string | null>(null)
  /** The keyboard cursor in the list (aria-activedescendant). */
  const activeId = ref<string | null>(null)

  const selectedCount = computed(() => selected.value.size)
  const hiddenSelectedCount = computed(() => {
    let n = 0
    const idx = indexById.value
    for (const id of selected.value) if (!idx.has(id)) n++
    return n
  })

  function setSelection(ids: Iterable<string>) {
    selected.value = new Set(ids)
  }

  /** What a Shift range adds to (the selection when the anchor was set). */
  let rangeBase: ReadonlySet<string> = new Set()

  function selectOnly(id: string) {
    setSelection([id])
    anchorId.value = id
    activeId.value = id
    rangeBase = new Set()
  }

  function toggle(id: string) {
    const next = new Set(selected.value)
    if (next.has(id)) next.delete(id)
    else next.add(id)
    selected.value = next
    anchorId.value = id
    activeId.value = id
    rangeBase = next
  }

  function rangeIds(fromId: string | null, toId: string): string[] {
    const idx = indexById.value
    const b = idx.get(toId)
    if (b === undefined) return [toId]
    const a = fromId !== null ? idx.get(fromId) ?? b : b
    const [lo, hi] = a <= b ? [a, b] : [b, a]
    return filtered.value.slice(lo, hi + 1).map((m) => m.id)
  }

  /**
   * The range from the anchor to `toId`: Shift+click replaces the selection with it; with Ctrl (and
   * Shift+↑/↓) it is added to what was selected when the anchor was set, so the range can shrink too.
   */
  function selectRange(toId: string, additive = false) {
    if (anchorId.value === null || !indexById.value.has(anchorId.value)) {
      anchorId.value = activeId.value ?? toId
      rangeBase = selected.value
    }
    const range = rangeIds(anchorId.value, toId)
    setSelection(additive ? [...rangeBase, ...range] : range)
    activeId.value = toId
  }

  function selectAll() {
    setSelection(filtered.value.map((m) => m.id))
    rangeBase = selected.value
  }

  function clearSelection() {
    setSelection([])
    rangeBase = new Set()
  }

  const isSelected = (id: string) => selected.value.has(id)

  /** The selection in catalog order (hidden ones included: they are still selected). */
  function selectedIds(): string[] {
    const sel = selected.value
    return store.matters.filter((m) => sel.has(m.id)).map((m) => m.id)
  }

  /** ↑/↓ (and Home/End/PageUp/PageDown): moves the cursor; with Shift, extends the selection. */
  function moveActive(to: number | 'first' | 'last', extend: boolean): string | null {
    const list = filtered.value
    if (list.length === 0) return null
    const cur = activeId.value !== null ? indexById.value.get(activeId.value) : undefined
    let i: number
    if (to === 'first') i = 0
    else if (to === 'last') i = list.length - 1
    else if (cur === undefined) i = to > 0 ? 0 : list.length - 1
    else i = Math.min(list.length - 1, Math.max(0, cur + to))
    const id = list[i]!.id
    if (extend) {
      selectRange(id, true)
    } else {
      // A plain move carries the anchor along: Shift+↑/↓ then extends from here.
      activeId.value = id
      anchorId.value = id
      rangeBase = selected.value
    }
    return id
  }

  // ---- window lookups --------------------------------------------------------------------------
  const windowLabel = (id: string) => store.windowById.get(id)?.number ?? '?'
  const windowOf = (id: string): HallWindow | undefined => store.windowById.get(id)
  const matterName = (id: string) => store.matterById.get(id)?.name ?? id

  // ---- writes ----------------------------------------------------------------------------------
  const busy = ref(false)
  /** The window a binding was last made to: the bind dialog proposes it again. */
  const lastWindowId = ref<string | null>(null)
  /** A window card to point at (from the coverage audit): outlined and scrolled into view. */
  const highlightWindowId = ref<string | null>(null)

  /** Runs one change of the bindings with the board busy: true when it is done, false (shown) when refused. */
  async function busyWhile(change: () => Promise<void>): Promise<boolean> {
    busy.value = true
    try {
      await change()
      return true
    } catch (e) {
      showError(e)
      return false
    } finally {
      busy.value = false
    }
  }

  /** Binds matters (retired ones are skipped: the shell refuses them). True when it went through. */
  async function bindTo(windowId: string, ids: string[], priority: BindingPriority): Promise<boolean> {
    const number = windowLabel(windowId)
    const active = ids.filter((id) => store.matterById.get(id)?.state !== 'retired')
    if (ids.length === 0) {
      showWarning(t('catalog.msg.selectFirst'))
      return false
    }
    if (active.length === 0) {
      showWarning(t('catalog.msg.allRetired'))
      return false
    }
    return busyWhile(async () => {
      const change = await store.bind({ windowId, matterIds: active, priority })
      lastWindowId.value = windowId
      const n = change.changed
      if (n === 0) showInfo(t('catalog.msg.unchanged', { number }))
      else if (change.unchanged > 0) showSuccess(t('catalog.msg.boundPartly', { n, m: change.unchanged, number }, n))
      else if (priority === 'overflow') showSuccess(t('catalog.msg.boundOverflow', { n, number }, n))
      else showSuccess(t('catalog.msg.bound', { n, number }, n))
    })
  }

  function removeBinding(windowId: string, matterId: string): Promise<boolean> {
    return busyWhile(async () => {
      await store.unbind({ windowId, matterIds: [matterId] })
      showSuccess(t('catalog.msg.unboundOne', { number: windowLabel(windowId), name: matterName(matterId) }))
    })
  }

  function setPriority(windowId: string, matterId: string, priority: BindingPriority): Promise<boolean> {
    return busyWhile(async () => {
      await store.bind({ windowId, matterIds: [matterId], priority })
      const msg = priority === 'primary' ? 'catalog.msg.toPrimary' : 'catalog.msg.toOverflow'
      showSuccess(t(msg, { name: matterName(matterId), number: windowLabel(windowId) }))
    })
  }

  /** A chip dropped on another window: bound there, then removed from where it came from. */
  async function moveBinding(fromId: string, toId: string, matterId: string, priority: BindingPriority) {
    await busyWhile(async () => {
      await store.bind({ windowId: toId, matterIds: [matterId], priority })
      await store.unbind({ windowId: fromId, matterIds: [matterId] })
      showSuccess(
        t('catalog.msg.moved', { name: matterName(matterId), from: windowLabel(fromId), to: windowLabel(toId) }),
      )
    })
  }

  async function drop(payload: DragPayload, target: DropTarget | null) {
    if (!target) return
    if (payload.kind === 'matters') {
      if (target.kind === 'zone') await bindTo(target.windowId, payload.ids, target.priority)
      return
    }
    if (target.kind === 'remove') {
      await removeBinding(payload.windowId, payload.matterId)
    } else if (target.windowId === payload.windowId) {
      if (target.priority !== payload.priority) await setPriority(payload.windowId, payload.matterId, target.priority)
    } else {
      await moveBinding(payload.windowId, target.windowId, payload.matterId, target.priority)
    }
  }

  // ---- bind dialog -----------------------------------------------------------------------------
  const bindOpen = ref(false)
  function openBind() {
    if (selected.value.size === 0 && activeId.value !== null) selectOnly(activeId.value)
    if (selected.value.size === 0) {
      showWarning(t('catalog.msg.selectFirst'))
      return
    }
    bindOpen.value = true
  }

  // ---- pointer drag ----------------------------------------------------------------------------
  const drag = reactive({
    active: false,
    payload: null as DragPayload | null,
    x: 0,
    y: 0,
    target: null as DropTarget | null,
  })
  let pending: { x: number; y: number; pointerId: number; make: () => DragPayload } | null = null
  let justDragged = false
  let frame = 0
  /** Containers that scroll when a drag nears their top or bottom edge. */
  const scrollers = new Set<HTMLElement>()

  /** The window's events a drag follows (pointer and keys captured, so rows and chips miss them). */
  const dragListeners = (): [string, EventListener, boolean][] => [
    ['pointermove', onMove as EventListener, true],
    ['pointerup', onUp as EventListener, true],
    ['pointercancel', cancelDrag, true],
    ['keydown', onKey as EventListener, true],
    ['blur', cancelDrag, false],
  ]

  function addListeners() {
    for (const [type, listener, capture] of dragListeners()) window.addEventListener(type, listener, capture)
  }

  function removeListeners() {
    for (const [type, listener, capture] of dragListeners()) window.removeEventListener(type, listener, capture)
  }

  /** A press on a row or chip: becomes a drag once the pointer has moved a few pixels. */
  function press(e: PointerEvent, make: () => DragPayload) {
    if (e.button !== 0 || pending || drag.active) return
    // The chip's own buttons are buttons, not drag handles.
    if (e.target instanceof Element && e.target.closest('button')) return
    pending = { x: e.clientX, y: e.clientY, pointerId: e.pointerId, make }
    addListeners()
  }

  function onMove(e: PointerEvent) {
    if (!pending || e.pointerId !== pending.pointerId) return
    if (!drag.active) {
      if (Math.hypot(e.clientX - pending.x, e.clientY - pending.y) < DRAG_THRESHOLD) return
      drag.payload = pending.make()
      drag.active = true
      document.body.classList.add('hk-dragging')
      window.getSelection()?.removeAllRanges()
      frame = requestAnimationFrame(autoScroll)
    }
    e.preventDefault()
    drag.x = e.clientX
    drag.y = e.clientY
    drag.target = dropTargetAt(e.clientX, e.clientY)
  }

  function reset() {
    removeListeners()
    pending = null
    drag.active = false
    drag.payload = null
    drag.target = null
    cancelAnimationFrame(frame)
    document.body.classList.remove('hk-dragging')
  }

  function onUp(e: PointerEvent) {
    if (!pending || e.pointerId !== pending.pointerId) return
    if (!drag.active) {
      reset()
      return
    }
    const payload = drag.payload
    const target = dropTargetAt(e.clientX, e.clientY)
    reset()
    // The click that follows a drag released over a row must not change the selection.
    justDragged = true
    setTimeout(() => {
      justDragged = false
    }, 0)
    if (payload) void drop(payload, target)
  }

  function cancelDrag() {
    if (pending || drag.active) reset()
  }

  function onKey(e: KeyboardEvent) {
    if (e.key === 'Escape' && drag.active) {
      e.preventDefault()
      e.stopPropagation()
      reset()
    }
  }

  function consumeDragClick(): boolean {
    return justDragged
  }

  function autoScroll() {
    if (!drag.active) return
    for (const el of scrollers) {
      const r = el.getBoundingClientRect()
      if (drag.x < r.left || drag.x > r.right) continue
      if (drag.y < r.top + EDGE && drag.y >= r.top - EDGE) el.scrollTop -= EDGE_SPEED
      else if (drag.y > r.bottom - EDGE && drag.y <= r.bottom + EDGE) el.scrollTop += EDGE_SPEED
    }
    frame = requestAnimationFrame(autoScroll)
  }

  function registerScroller(el: HTMLElement | null | undefined) {
    if (el) scrollers.add(el)
    return () => {
      if (el) scrollers.delete(el)
    }
  }

  /** What a press on a catalog row drags: the whole selection if the row is in it. */
  function rowPayload(m: Matter): DragPayload {
    return selected.value.has(m.id) ? { kind: 'matters', ids: selectedIds() } : { kind: 'matters', ids: [m.id] }
  }

  onBeforeUnmount(() => {
    reset()
    clearTimeout(searchTimer)
  })

  return reactive({
    // filters
    search,
    query,
    departmentId,
    uncoveredOnly,
    filtered,
    filtering,
    indexById,
    setSearchNow,
    clearFilters,
    // selection
    selected,
    anchorId,
    activeId,
    selectedCount,
    hiddenSelectedCount,
    setSelection,
    selectOnly,
    toggle,
    selectRange,
    selectAll,
    clearSelection,
    isSelected,
    selectedIds,
    moveActive,
    // windows
    windows: computed(() => windows.items),
    windowOf,
    windowLabel,
    matterName,
    highlightWindowId,
    lastWindowId,
    // writes
    busy,
    bindTo,
    removeBinding,
    setPriority,
    // bind dialog
    bindOpen,
    openBind,
    // drag
    drag,
    press,
    rowPayload,
    consumeDragClick,
    cancelDrag,
    registerScroller,
  })
}

export type Board = ReturnType<typeof createBoard>

const BOARD: InjectionKey<Board> = Symbol('catalog-board')

export function provideBoard(board: Board) {
  provide(BOARD, board)
}

export function useBoard(): Board {
  const board = inject(BOARD)
  if (!board) throw new Error('useBoard() outside the bindings board')
  return board
}
