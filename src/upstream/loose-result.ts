import type { StandardSchemaV1 } from '@modelcontextprotocol/client'

/**
 * A result schema that accepts whatever the upstream answered. The SDK's typed helpers validate
 * and drop unknown fields; a transparent proxy must keep every field, and one malformed tool
 * must not break the whole list.
 */
export const looseResult: StandardSchemaV1<unknown, Record<string, unknown>> = {
  '~standard': {
    version: 1,
    vendor: 'proxmcp',
    validate: (value) =>
      typeof value === 'object' && value !== null
        ? { value: value as Record<string, unknown> }
        : { issues: [{ message: 'expected a JSON object as the result' }] },
  },
}
