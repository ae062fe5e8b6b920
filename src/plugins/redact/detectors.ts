/** A kind of secret or personal data found in text, and how it is recognised. */
export interface Detector {
  name: string
  pattern: RegExp
  /** A second check on each match, where a pattern alone finds too much (card numbers: Luhn). */
  confirm?: (match: string) => boolean
}

/** The built-in detectors, by option name. Patterns are global: every match is masked. */
export const BUILT_IN: Record<'emails' | 'tokens' | 'cards', Detector[]> = {
  emails: [{ name: 'email', pattern: /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g }],
  tokens: [
    { name: 'bearer token', pattern: /\bBearer\s+[A-Za-z0-9\-._~+/]{8,}=*/gi },
    { name: 'JWT', pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g },
    {
      name: 'API key',
      pattern:
        /\b(?:sk|pk|rk)-(?:live-|test-|proj-|ant-)?[A-Za-z0-9_-]{16,}|\bgh[pousr]_[A-Za-z0-9]{30,}|\bgithub_pat_[A-Za-z0-9_]{30,}|\bxox[abprs]-[A-Za-z0-9-]{10,}|\bAKIA[0-9A-Z]{16}\b|\bAIza[0-9A-Za-z_-]{35}|\bglpat-[A-Za-z0-9_-]{20,}/g,
    },
  ],
  cards: [{ name: 'card number', pattern: /\b\d(?:[ -]?\d){12,18}\b/g, confirm: passesLuhn }],
}

/** The Luhn checksum every payment card number satisfies (and most other long numbers do not). */
export function passesLuhn(text: string): boolean {
  const digits = text.replace(/\D/g, '')
  let sum = 0
  for (let index = 0; index < digits.length; index++) {
    let digit = Number(digits[digits.length - 1 - index])
    if (index % 2 === 1) {
      digit *= 2
      if (digit > 9) digit -= 9
    }
    sum += digit
  }
  return digits.length >= 13 && sum % 10 === 0
}
