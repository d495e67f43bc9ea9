// What a keypad key does to the value typed (pairing code, phone, appointment code, search).

/** A key pressed on a code keypad: appended when allowed and room is left. */
export function typeKey(value: string, key: string, alphabet: string, max: number): string {
  if (key === 'back') return value.slice(0, -1)
  if (key === 'clear') return ''
  if (value.length >= max || key.length !== 1 || !alphabet.includes(key)) return value
  return value + key
}
