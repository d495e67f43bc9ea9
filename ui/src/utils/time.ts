const pad = (n: number) => String(n).padStart(2, '0')

/** An RFC 3339 instant as local `YYYY-MM-DD HH:mm:ss`; the input itself if it does not parse. */
export function formatLocalTime(rfc3339: string): string {
  const d = new Date(rfc3339)
  if (Number.isNaN(d.getTime())) return rfc3339
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
  )
}
