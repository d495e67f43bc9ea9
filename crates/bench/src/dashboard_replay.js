// Injected by `hallkeeper-dashboard-bench --breakdown S --replay` through WebDriver (the body of a
// function; the bench puts `const cmd = 'record' | 'play' | 'stop';` before it). Live traffic
// changes from phase to phase, so the page's cost is compared on the same updates: the feed's
// `dashboard-delta` events are recorded while the page follows the feed, then each phase detaches
// the page from the feed and applies the recording to its store twice a second, from the same
// starting picture, in a loop.
const store = document.querySelector('#app').__vue_app__.config.globalProperties.$pinia._s.get('dashboard')
const r = (window.__hkReplay ??= { recording: false, deltas: [], base: null, timer: null })
// The page's own merge (ui/src/stores/dashboard.ts), so the replay applies a delta as the page does.
const applyDelta = window.__hkDashboardPerf.applyDelta
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
    store.dashboard = applyDelta(store.dashboard, r.deltas[i++])
  }, 500)
}
return r.deltas.length
