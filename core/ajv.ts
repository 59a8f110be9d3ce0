import { _ } from 'ajv'
import Ajv2020 from 'ajv/dist/2020.js'
import { patternRegExp } from './patterns.ts'

/** Annotation keywords contract schemas may carry: topic, partition key and compatibility mode. */
export const CUSTOM_KEYWORDS = ['x-topic', 'x-key', 'x-compatibility'] as const

export type FormatCheck = (s: string) => boolean

/**
 * The one ajv configuration, used to generate the standalone validators and to compile schemas met at run time
 * (from the registry), so that a schema is never compiled two different ways.
 * No remote $ref is ever fetched: ajv has no `loadSchema` here, so an unknown $ref fails compilation. Patterns run on
 * RE2 (patterns.ts), in linear time; one RE2 cannot express makes the compilation fail.
 */
export function createAjv({
  formats,
  source = false,
}: {
  formats: Record<string, FormatCheck>
  source?: boolean
}) {
  const ajv = new Ajv2020.default({
    allErrors: true,
    strict: true,
    allowUnionTypes: true,
    // Its strict check that no property name matches a patternProperties key runs each pattern on RegExp, a
    // backtracking engine: admission makes the same check on RE2 (admission/document.ts).
    allowMatchingProperties: true,
    formats,
    code: source
      ? { source: true, esm: true, formats: _`formats`, optimize: true, lines: false, regExp: patternRegExp }
      : { regExp: patternRegExp },
  })
  for (const keyword of CUSTOM_KEYWORDS) ajv.addKeyword({ keyword, schemaType: 'string' })
  return ajv
}

export type Ajv = ReturnType<typeof createAjv>

/**
 * One ajv instance for many compilations, replaced after `every` of them: ajv keeps what each compilation adds to
 * its scope (patterns, schema objects) for as long as it lives, even after `removeSchema`, so a long-lived
 * instance fed distinct schemas (admission, from the public compatibility route) only grows. Validators already
 * compiled keep working: they hold their own closures.
 */
export function recyclingAjv(create: () => Ajv, every = 200): () => Ajv {
  let ajv: Ajv | undefined
  let used = 0
  return () => {
    if (ajv === undefined || used >= every) {
      ajv = create()
      used = 0
    }
    used++
    return ajv
  }
}
