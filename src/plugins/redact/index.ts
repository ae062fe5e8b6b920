export { passesLuhn } from './detectors.ts'
export { type RedactOptions, redactPlugin } from './redact-plugin.ts'
