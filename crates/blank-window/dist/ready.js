// Report the first paint: two animation frames after the page has loaded, the frame with the
// page's content has been presented. Same signal as the real app's `ui_ready`.
requestAnimationFrame(() =>
  requestAnimationFrame(() => {
    window.__TAURI_INTERNALS__.invoke('ui_ready');
  }),
);
