export const mb = (bytes: number | undefined) => (bytes === undefined ? '—' : (bytes / 2 ** 20).toFixed(1))
export const ms = (value: number | undefined, digits = 2) =>
  value === undefined || Number.isNaN(value) ? '—' : value.toFixed(digits)
export const int = (value: number | undefined) =>
  value === undefined || Number.isNaN(value) ? '—' : Math.round(value).toString()
export const ratio = (value: number | undefined) =>
  value === undefined || !Number.isFinite(value) ? '—' : `${value.toFixed(2)}×`
export const percent = (value: number) => `${Math.round(value * 100)}%`

/** A markdown table from a header row and body rows. */
export function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n')
}
