import { proxyErrors } from '../errors.ts'

/** One page of a merged list, with the cursor to the next page when there is one. */
export function paginate<T>(
  items: T[],
  cursor: unknown,
  pageSize: number,
): { page: T[]; nextCursor?: string } {
  const offset = cursor === undefined ? 0 : decodeCursor(cursor)
  const end = offset + pageSize
  const page = items.slice(offset, end)
  return end < items.length ? { page, nextCursor: encodeCursor(end) } : { page }
}

function encodeCursor(offset: number): string {
  return btoa(`o:${offset}`)
}

function decodeCursor(cursor: unknown): number {
  const offset = typeof cursor === 'string' ? /^o:(\d+)$/.exec(safeAtob(cursor))?.[1] : undefined
  if (offset === undefined) throw proxyErrors.invalidCursor()
  return Number(offset)
}

function safeAtob(text: string): string {
  try {
    return atob(text)
  } catch {
    return ''
  }
}
