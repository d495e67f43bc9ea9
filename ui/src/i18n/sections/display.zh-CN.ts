// Messages of the hall display (大屏) and the service stars (服务之星).
// vue-i18n syntax: {name} interpolates; avoid the characters @ | { } in plain text.
export const displayZhCN = {
  display: {
    open: '打开大屏',
    openTitle: '在大厅大屏上显示实时叫号和本月服务之星（有第二块显示器时全屏显示在它上面）',
    opened: '已打开大屏窗口',
    title: '实时叫号',
    hall: '政务服务中心',
    board: {
      title: '窗口叫号',
      window: '{number} 号窗口',
      current: '当前号',
      none: '—',
      waiting: '等候 {n} 人',
      empty: '暂无开放窗口',
      state: {
        open: '办理中',
        paused: '暂停服务',
        closed: '已关闭',
      },
    },
    stars: {
      title: '本月服务之星',
      month: '{year} 年 {month} 月',
      empty: '本月暂无服务之星',
      emptyHint: '服务量和评价数达到评选条件后将在这里显示',
      rank: '第 {rank} 名',
      goodRate: '好评率',
      served: '服务 {n} 件',
      hallStaff: '综合窗口',
    },
    loading: '正在读取…',
  },
}
