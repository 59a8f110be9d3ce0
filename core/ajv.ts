import { _ } from 'ajv'
import Ajv2020 from 'ajv/dist/2020.js'
import { patternRegExp } from './patterns.ts'

/** The normalisers `x-normalize` may name; each one's meaning is the change-event diff's (gateway/changes/). */
export const NORMALIZERS = ['markdown', 'whitespace'] as const
export type NormalizerName = (typeof NORMALIZERS)[number]

/**
 * Annotation keywords contract schemas may carry, with the JSON type of their value. Topic, partition key and
 * compatibility mode; and what a change-event diff reads: `x-identity` (on an array of objects, the property whose
 * value matches an old item with a new one), `x-ignore-changes` (a field whose edits are not changes),
 * `x-normalize` (one of NORMALIZERS, applied to both values before they are compared) and `x-deleted` (the value of
 * this property that marks the whole resource deleted). They validate nothing; ajv refuses any other unknown
 * keyword, and the admission rule checks what a type cannot say (admission/change-keywords.ts). Types, not
 * meta-schemas: a meta-schema would be compiled into the generated validators.
 */
export const KEYWORD_TYPES = {
  'x-topic': 'string',
  'x-key': 'string',
  'x-compatibility': 'string',
  'x-identity': 'string',
  'x-ignore-changes': 'boolean',
  'x-normalize': 'string',
  'x-deleted': ['string', 'number', 'boolean'],
} as const satisfies Record<string, JsonType | readonly JsonType[]>

export const CUSTOM_KEYWORDS = Object.keys(KEYWORD_TYPES) as readonly (keyof typeof KEYWORD_TYPES)[]

type JsonType = 'string' | 'number' | 'boolean' | 'object' | 'null' | 'integer' | 'array'

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
  for (const keyword of CUSTOM_KEYWORDS)
    ajv.addKeyword({ keyword, schemaType: KEYWORD_TYPES[keyword] as JsonType | JsonType[] })
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
