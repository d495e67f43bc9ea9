import type { ratingReasonsZhCN } from './ratingReasons.zh-CN'

export const ratingReasonsEnUS: typeof ratingReasonsZhCN = {
  ratingReasons: {
    title: 'Rating reason tags',
    hint: 'The reasons a citizen can tick on the rating pad after choosing “Dissatisfied” or “Very dissatisfied”. Saved lists are synced to the server and every pad uses them.',
    tagsLabel: 'Current tags',
    empty: 'No tags yet: add at least one',
    placeholder: 'Type a new tag, press Enter to add',
    add: 'Add',
    remove: 'Remove tag {tag}',
    count: '{n} of {max}',
    problem: {
      empty: 'A tag cannot be empty',
      tooLong: 'A tag has at most {max} characters',
      duplicate: 'That tag is already in the list',
      full: 'At most {max} tags',
    },
    notInteger: 'Enter a whole number',
    save: 'Save tags',
    reset: 'Reset',
    saved: 'Rating reason tags saved',
    loadFailed: 'Could not read the rating reason tags',
  },
}
