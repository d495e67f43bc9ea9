import type { displayZhCN } from './display.zh-CN'

export const displayEnUS: typeof displayZhCN = {
  display: {
    open: 'Open hall display',
    openTitle: "Show the live queue and this month's service stars on the hall's big screen (full screen on a second monitor when there is one)",
    opened: 'The hall display is open',
    title: 'Now serving',
    hall: 'Government Service Center',
    board: {
      title: 'Windows',
      window: 'Window {number}',
      current: 'Now',
      none: '—',
      waiting: '{n} waiting',
      empty: 'No window is open',
      state: {
        open: 'Serving',
        paused: 'Paused',
        closed: 'Closed',
      },
    },
    stars: {
      title: 'Service stars of the month',
      month: '{month}/{year}',
      empty: 'No service star this month yet',
      emptyHint: 'Staff appear here once their services and ratings meet the rule',
      rank: 'No. {rank}',
      goodRate: 'Good rate',
      served: '{n} served',
      hallStaff: 'Hall staff',
    },
    loading: 'Loading…',
  },
}
