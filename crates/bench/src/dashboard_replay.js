// Injected by `hallkeeper-dashboard-bench --breakdown S --replay` through WebDriver (the body of a
// function; the bench puts `const cmd = 'record' | 'play' | 'stop';` before it). Live traffic
// changes from phase to phase, so the page's cost is compared on the same updates: the feed's
// `dashboard-delta` events are recorded while the page follows the feed, then each phase detaches
// the page from the feed and applies the recording to its store twice a second, from the same
// starting picture, in a loop.
const store = document.querySelector('#app').__vue_app__.config.globalProperties.$pinia._s.get('dashboard')
const r = (window.__hkReplay ??= { recording: false, deltas: [], base: null, timer: null })
// The page's `mergeList` (ui/src/stores/dashboard.ts).
const merge = (list, changed, order, key) => {
  if (changed.length === 0 && order === null) return list
  const fresh = new Map(changed.map((x) => [key(x), x]))
  if (order === null) return list.map((x) => fresh.get(key(x)) ?? x)
  const old = new Map(list.map((x) => [key(x), x]))
  return order.map((k) => fresh.get(k) ?? old.get(k)).filter((x) => x !== undefined)
}
clearInterval(r.timer)
if (cmd === 'record') {
  r.base = store.dashboard
  r.deltas = []
  r.recording = true
  window.__TAURI_INTERNALS__.invoke('plugin:event|listen', {
    event: 'dashboard-delta',
    target: { kind: 'Any' },
    handler: window.__TAURI_INTERNALS__.transformCallback((e) => {
      if (r.recording) r.deltas.push(e.payload)
    }),
  })
} else if (cmd === 'play') {
  r.recording = false
  store.detach()
  store.dashboard = r.base
  let i = 0
  r.timer = setInterval(() => {
    if (i >= r.deltas.length) {
      i = 0
      store.dashboard = r.base
      return
    }
    const d = r.deltas[i++]
    const b = store.dashboard
    store.dashboard = {
      ...b,
      at: d.at,
      lastEventAt: d.lastEventAt,
      seq: d.seq,
      tiles: merge(b.tiles, d.tiles, d.tileOrder, (t) => t.windowId),
      matters: merge(b.matters, d.matters, d.matterOrder, (m) => m.matterId),
      totals: d.totals ?? b.totals,
      hours: d.hours ?? b.hours,
      waitingSeries: d.waitingSeries ?? b.waitingSeries,
      alerts: d.alerts ?? b.alerts,
      suggestions: d.suggestions ?? b.suggestions,
    }
  }, 500)
}
return r.deltas.length
