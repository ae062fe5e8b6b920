import * as v from 'valibot'

/** An http:// or https:// URL. */
export const httpUrl = v.pipe(
  v.string('expected a URL'),
  v.check(
    (value) => URL.canParse(value) && /^https?:\/\//i.test(value),
    'expected an http:// or https:// URL',
  ),
)

export const stringMap = v.record(v.string(), v.string('expected a string'))
