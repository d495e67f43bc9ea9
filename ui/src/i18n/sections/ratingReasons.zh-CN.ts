// Messages of the rating pad's reason tags (评价原因标签) on the settings page.
// vue-i18n syntax: {name} interpolates; avoid the characters @ | { } in plain text.
export const ratingReasonsZhCN = {
  ratingReasons: {
    title: '评价原因标签',
    hint: '群众在评价器上选择“不满意”或“非常不满意”时可勾选的原因。保存后同步到服务器，所有评价器随即使用新列表。',
    tagsLabel: '当前标签',
    empty: '还没有标签，请至少添加一个',
    placeholder: '输入新标签，按回车添加',
    add: '添加',
    remove: '删除标签 {tag}',
    count: '{n} / {max} 个',
    problem: {
      empty: '标签不能为空',
      tooLong: '每个标签最多 {max} 个字',
      duplicate: '已有这个标签',
      full: '最多 {max} 个标签',
    },
    notInteger: '请输入整数',
    save: '保存标签',
    reset: '还原',
    saved: '已保存评价原因标签',
    loadFailed: '未能读取评价原因标签',
  },
}
