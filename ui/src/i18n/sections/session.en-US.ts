import type { MessageSchema } from '../zh-CN'

export const sessionEnUS: Pick<MessageSchema, 'session'> = {
  session: {
    'first-run': {
      title: 'Create the first system administrator',
      hint: 'This is the first start of the central server on this PC: create your system administrator account. There is no default password anywhere.',
      submit: 'Create and sign in',
    },
    'sign-in': {
      title: 'Sign in',
      hint: 'Sign in with your account on the central server.',
      submit: 'Sign in',
    },
    'change-password': {
      title: 'Change your password',
      hint: '{name}, your password was set by an administrator (new account or reset): choose your own to continue.',
      submit: 'Save the new password',
    },
    locked: {
      title: 'The screen is locked',
      hint: '{name}, enter your password to unlock.',
      submit: 'Unlock',
    },
    login: 'Login name',
    loginPlaceholder: 'e.g. wang.li',
    name: 'Name',
    namePlaceholder: 'Shown in the header, the audit log and case steps',
    password: 'Password',
    current: 'Current password',
    newPassword: 'New password',
    confirm: 'Password again',
    policy: 'At least 10 characters, not the login name, not a common password.',
    mismatch: 'The two passwords differ',
    switchPerson: 'Switch person',
    signOut: 'Sign out',
    lock: 'Lock screen',
    changePassword: 'Change password',
    offline: 'Offline sign-in',
    offlineTitle: 'The central server cannot be reached: your changes are kept on this PC and sync under your name once it is back',
    lockMinutes: 'Idle lock',
    lockMinutesHint: 'Minutes without input before the screen locks and asks for the password again',
    lockMinutesUnit: 'minutes',
    roles: {
      system_admin: 'System admin',
      hall_admin: 'Hall admin',
      shift_lead: 'Shift lead',
      supervisor: 'Supervisor',
      window_staff: 'Window staff',
    },
  },
}
