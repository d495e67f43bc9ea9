import type { MessageSchema } from './zh-CN'

// Typed as MessageSchema: a key missing here, or one zh-CN does not have, fails `vue-tsc`.
import { catalogEnUS } from './sections/catalog.en-US'
import { importStaffEnUS } from './sections/importStaff.en-US'

const enUS: MessageSchema = {
  ...catalogEnUS,
  ...importStaffEnUS,
  app: {
    name: 'Hallkeeper',
    tagline: 'Service hall supervisor',
  },
  nav: {
    label: 'Main navigation',
    dashboard: 'Dashboard',
    windows: 'Windows & matters',
    catalog: 'Matters & bindings',
    staff: 'Staff & roster',
    sms: 'SMS reminders',
    ratings: 'Ratings & rectification',
    reports: 'Reports',
    audit: 'Audit log',
    settings: 'Settings',
  },
  header: {
    langSwitch: '中文',
    langSwitchTitle: 'Switch to Chinese',
    operator: 'Operator: {name}',
  },
  common: {
    refresh: 'Refresh',
    retry: 'Retry',
    cancel: 'Cancel',
    loading: 'Loading…',
    notAvailable: 'Not available yet',
  },
  comingSoon: {
    dashboard:
      "The dashboard will show each window's queue length, average waiting time and today's ratings. It is not available yet.",
    sms: 'SMS reminders will text citizens on rules (ticket issued, a few people ahead, called, missed, appointment due). Not available yet.',
    ratings:
      'Ratings & rectification will collect poor ratings from the one-rating-per-service pads and track verification, rectification and return visits. Not available yet.',
    reports:
      'Reports will compute the rating rate, good rating rate, rectification rate and waiting and service times per window. Not available yet.',
  },
  windows: {
    sectionTitle: 'Windows',
    sectionHint:
      'Drag a row by its handle, or focus the handle and press Alt+↑ / Alt+↓, to set the floor order of the windows.',
    add: 'Add window',
    count: '{n} windows',
    countOpen: '{n} open',
    columns: {
      number: 'Number',
      name: 'Name',
      zone: 'Zone',
      kind: 'Kind',
      state: 'State',
      actions: 'Actions',
    },
    kind: {
      general: 'General',
      dedicated: 'Dedicated',
      priority: 'Priority lane',
    },
    kindHint: {
      general: 'Handles matters of several departments',
      dedicated: 'Handles the matters of one department',
      priority: 'Served first: the elderly, people with disabilities and other priority groups',
    },
    state: {
      open: 'Open',
      paused: 'Paused',
      closed: 'Closed',
    },
    stateGroup: 'State of window {number}',
    dragHandle: 'Reorder window {number}: Alt+↑ moves it up, Alt+↓ moves it down',
    moved: 'Window {number} moved to position {pos}',
    edit: 'Edit',
    editAria: 'Edit window {number}',
    delete: 'Delete',
    deleteAria: 'Delete window {number}',
    empty: {
      title: 'No windows yet',
      description:
        "Add the hall's service windows first; then you can bind matters to them and set up calling.",
      action: 'Add the first window',
    },
    loadFailed: 'The window list could not be loaded',
    created: 'Window {number} added',
    saved: 'Window {number} saved',
    deleted: 'Window {number} deleted',
    form: {
      createTitle: 'Add window',
      editTitle: 'Edit window {number}',
      number: 'Number',
      numberPlaceholder: 'e.g. A03',
      numberHint: 'Letters, digits or hyphens, at most 8 characters; saved in upper case',
      name: 'Name',
      namePlaceholder: 'e.g. Real estate registration',
      zone: 'Zone',
      zonePlaceholder: 'e.g. Floor 1, area A (optional)',
      kind: 'Kind',
      state: 'Initial state',
      submitCreate: 'Add',
      submitEdit: 'Save',
      cancel: 'Cancel',
    },
    confirmDelete: {
      title: 'Delete window',
      body: 'Delete window {number} "{name}"? This cannot be undone and is recorded in the audit log.',
      ok: 'Delete',
      cancel: 'Cancel',
    },
  },
  audit: {
    sectionTitle: 'Changes',
    sectionHint:
      'Every window created, edited, switched, deleted or reordered is recorded here, newest first.',
    columns: {
      time: 'Time',
      actor: 'Operator',
      action: 'Action',
      summary: 'Summary',
    },
    action: {
      window_create: 'Window created',
      window_update: 'Window edited',
      window_state: 'State switched',
      window_delete: 'Window deleted',
      window_reorder: 'Order changed',
    },
    field: {
      number: 'Number',
      name: 'Name',
      zone: 'Zone',
      kind: 'Kind',
      state: 'State',
      position: 'Position',
    },
    showDetails: 'Show changes',
    hideDetails: 'Hide',
    before: 'Before',
    after: 'After',
    orderBefore: 'Before',
    orderAfter: 'After',
    noChanges: 'No field changed',
    emptyValue: '(empty)',
    loadMore: 'Load more',
    allShown: 'All entries shown',
    empty: 'No changes recorded yet',
    emptyHint: 'Creating, editing or deleting a window leaves a record here.',
    loadFailed: 'The audit log could not be loaded',
  },
  settings: {
    sectionTitle: 'General',
    language: 'Interface language',
    languageHint: 'Messages and errors from the system use this language too.',
    operator: 'Operator',
    operatorHint: 'The name recorded in the audit log for changes made here.',
    loadFailed: 'Settings could not be loaded',
  },
}

export default enUS
