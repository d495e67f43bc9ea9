// The sign-in, first run, forced password change and lock screens, and the person in the header
// (issue 17). vue-i18n syntax: {name} interpolates; avoid the characters @ | { } in plain text.
export const sessionZhCN = {
  session: {
    'first-run': {
      title: '创建首个系统管理员',
      hint: '这是本机中心服务器的第一次启动：请为自己创建系统管理员账号。系统中没有任何默认密码。',
      submit: '创建并登录',
    },
    'sign-in': {
      title: '登录',
      hint: '请使用您在中心服务器上的账号登录。',
      submit: '登录',
    },
    'change-password': {
      title: '请修改密码',
      hint: '{name}，您的密码由管理员设置（新建或重置），继续使用前请设置自己的新密码。',
      submit: '保存新密码',
    },
    locked: {
      title: '屏幕已锁定',
      hint: '{name}，请输入密码解锁。',
      submit: '解锁',
    },
    login: '登录名',
    loginPlaceholder: '例如 wang.li',
    name: '姓名',
    namePlaceholder: '显示在页眉、审计日志和整改记录中',
    password: '密码',
    current: '当前密码',
    newPassword: '新密码',
    confirm: '再次输入密码',
    policy: '密码至少 10 个字符，不能与登录名相同，也不能是常见密码。',
    mismatch: '两次输入的密码不一致',
    switchPerson: '切换用户',
    signOut: '退出登录',
    lock: '锁定屏幕',
    changePassword: '修改密码',
    offline: '离线登录',
    offlineTitle: '中心服务器暂时无法连接：您的修改保存在本机，恢复连接后以您的名义同步',
    lockMinutes: '自动锁定',
    lockMinutesHint: '无操作多少分钟后锁定屏幕，解锁需要再次输入密码',
    lockMinutesUnit: '分钟',
    roles: {
      system_admin: '系统管理员',
      hall_admin: '大厅管理员',
      shift_lead: '值班长',
      supervisor: '监督员',
      window_staff: '窗口人员',
    },
  },
}
