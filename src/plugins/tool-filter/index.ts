export { sanitizeText } from './sanitize-text.ts'
export { type ToolFilterOptions, toolFilterPlugin } from './tool-filter-plugin.ts'
