import type { MessageSchema } from '../zh-CN'

// Plural forms ("a | b") are used where an English count needs them; zh-CN has one form.
export const syncEnUS: Pick<MessageSchema, 'sync'> = {
  sync: {
    title: 'Sync',
    state: {
      synced: 'Synced',
      syncing: 'Syncing…',
      connecting: 'Connecting…',
      offline: 'Offline',
      offlinePending: 'Offline ({n} pending)',
      refused: 'Refused',
      unknown: 'Sync unknown',
    },
    lastSync: 'Last synced {time}',
    neverSynced: 'Not synced yet',
    pendingShort: '{n} pending',
    rejectedShort: '{n} changes rejected | {n} change rejected | {n} changes rejected',
    indicatorAria: 'Sync: {state} ({detail}); click for details',
    explain: {
      connecting: 'Connecting to the central server…',
      online: 'In sync with the central server: every change made on this PC has been uploaded.',
      uploading: 'Connected to the central server; uploading the changes made on this PC.',
      downloading: 'Connected to the central server; downloading its data.',
      offline:
        'The central server cannot be reached. Changes are saved on this PC and uploaded automatically once the connection is back.',
      offlinePending:
        'The central server cannot be reached. Your changes are saved on this PC and will be uploaded automatically once the connection is back.',
      refused:
        'The central server refuses to sync with this PC; your changes are still saved here and nothing is lost. Please pass the error below to your administrator.',
      unknown: 'The sync status could not be read.',
    },
    server: 'Server',
    embedded: 'Built-in server',
    embeddedHint: "The central server runs inside this PC's Hallkeeper",
    noServer: 'Not connected yet',
    pending: 'To upload',
    pendingN: '{n} changes | {n} change | {n} changes',
    nonePending: 'None',
    lastSyncAt: 'Last synced',
    never: 'Not yet',
    lastError: 'Last error',
    progressFirst: 'First sync: downloaded {done} of {total}',
    progress: 'Catching up: downloaded {done} of {total}',
    syncNow: 'Sync now',
    syncNowHint: "Upload every pending change made on this PC and download the server's latest data",
    done: 'Sync complete',
    doneWithRejected:
      'Sync complete; the central server rejected {n} changes | Sync complete; the central server rejected {n} change | Sync complete; the central server rejected {n} changes',
    failed: 'Sync failed: {message}',
    loadFailed: 'The sync status could not be read',
    rejected: {
      title: 'Rejected changes',
      intro:
        'Changes the central server rejects (for example, because the window they change was deleted on another PC) do not take effect: this PC shows what the server holds. They stay listed here so you can check them and redo what is still needed.',
      empty: 'No rejected changes',
      emptyHint: 'The central server has accepted every change made on this PC.',
      madeAt: 'Made {time}',
      code: 'Code {code}',
      reasons: {
        sync_reference_deleted: 'What it refers to (a window, matter or staff member) was deleted on another PC',
        sync_unknown_entity: 'The central server does not know this kind of record',
        sync_hlc_invalid: 'The change has an invalid timestamp',
        sync_change_invalid: 'The change is not valid',
        sync_key_invalid: 'The record has an invalid key',
      },
      entity: {
        window: 'Window',
        department: 'Department',
        matter: 'Matter',
        binding: 'Binding',
        staff: 'Staff member',
        seat: 'Seat (roster)',
      },
    },
  },
}
