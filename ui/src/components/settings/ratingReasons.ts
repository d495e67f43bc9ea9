// The reason-tag editor's rules, checked as a tag is added so the supervisor hears at once what
// core would refuse on save (crates/proto RatingReasons::problem: 1–12 tags, each 1–10
// characters after trimming, no duplicates). Core checks again; this only saves a round trip.

export const RATING_REASONS_MAX = 12
export const RATING_REASON_MAX_CHARS = 10

export type AddProblem = 'empty' | 'tooLong' | 'duplicate' | 'full'

/** The list with `text` added at its end (trimmed), or why it cannot be. */
export function addTag(tags: readonly string[], text: string): { tags: string[] } | { problem: AddProblem } {
  const tag = text.trim()
  if (tag === '') return { problem: 'empty' }
  // Characters as core counts them (Unicode scalar values), not UTF-16 units.
  if ([...tag].length > RATING_REASON_MAX_CHARS) return { problem: 'tooLong' }
  if (tags.includes(tag)) return { problem: 'duplicate' }
  if (tags.length >= RATING_REASONS_MAX) return { problem: 'full' }
  return { tags: [...tags, tag] }
}

/** The list without the tag at `index`. */
export function removeTag(tags: readonly string[], index: number): string[] {
  return tags.filter((_, i) => i !== index)
}
