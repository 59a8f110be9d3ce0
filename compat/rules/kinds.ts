/**
 * Every kind of difference the engine reports, grouped by the rule that reports it, each with what it means and
 * the compatible alternative offered to the author (its hint, from a closed set). docs/compatibility.md lists
 * them all (a test checks that it does). A kind names a change from the previous schema to the next; most
 * break one direction only (`…-narrowed` BACKWARD, `…-widened` FORWARD), a few (`…-changed`, `unjudgeable`)
 * either.
 */

/** The compatible alternatives a difference may point to. */
export const HINTS = [
  'add it as optional',
  'keep it required',
  'keep the old values and add new ones',
  'keep the old branches and add new ones',
  'loosen instead of tighten',
  'tighten instead of loosen',
  'keep it and mark it deprecated',
  'declare it accepting any value, or use the lenient policy',
  'keep the old constraint',
  'bump to a new resource',
  'use local, acyclic references and known keywords',
] as const
export type Hint = (typeof HINTS)[number]

export const DIFFERENCE_KINDS = [
  // subschema.ts: the relation itself
  'unjudgeable',
  'schema-became-false',
  'schema-no-longer-false',
  'not-changed',
  'any-of-narrowed',
  'any-of-widened',
  'one-of-narrowed',
  'one-of-widened',
  // scalars.ts: type, enum/const, strings, numbers
  'type-narrowed',
  'type-widened',
  'enum-value-removed',
  'enum-value-added',
  'const-changed',
  'enum-added',
  'enum-removed',
  'const-added',
  'const-removed',
  'min-length-increased',
  'min-length-decreased',
  'max-length-decreased',
  'max-length-increased',
  'pattern-added',
  'pattern-removed',
  'pattern-changed',
  'format-added',
  'format-removed',
  'format-changed',
  'minimum-increased',
  'minimum-decreased',
  'maximum-decreased',
  'maximum-increased',
  'multiple-of-added',
  'multiple-of-removed',
  'multiple-of-changed',
  // arrays.ts
  'min-items-increased',
  'min-items-decreased',
  'max-items-decreased',
  'max-items-increased',
  'unique-items-added',
  'unique-items-removed',
  'contains-added',
  'contains-removed',
  'contains-changed',
  // objects.ts
  'min-properties-increased',
  'min-properties-decreased',
  'max-properties-decreased',
  'max-properties-increased',
  'property-became-required',
  'property-no-longer-required',
  'property-removed',
  'property-added',
  'property-added-to-open-model',
  'property-removed-from-open-model',
  'additional-properties-narrowed',
  'additional-properties-widened',
  'unevaluated-properties-narrowed',
  'unevaluated-properties-widened',
  'pattern-properties-narrowed',
  'pattern-properties-widened',
  'pattern-property-added',
  'pattern-property-removed',
  'dependent-required-added',
  'dependent-required-removed',
  'dependent-schema-added',
  'dependent-schema-removed',
  'property-names-narrowed',
  'property-names-widened',
] as const
export type DifferenceKind = (typeof DIFFERENCE_KINDS)[number]

export interface KindInfo {
  /** What changed, from the previous schema to the next. */
  readonly meaning: string
  readonly hint: Hint
}

const tighter = (what: string): KindInfo => ({ meaning: what, hint: 'loosen instead of tighten' })
const looser = (what: string): KindInfo => ({ meaning: what, hint: 'tighten instead of loosen' })

export const KINDS: Readonly<Record<DifferenceKind, KindInfo>> = {
  unjudgeable: {
    meaning:
      'a part the engine cannot judge: a remote or dangling `$ref`, a reference cycle that consumes no input, an unknown keyword added or changed, a `$dynamicRef` with several anchors',
    hint: 'use local, acyclic references and known keywords',
  },
  'schema-became-false': {
    meaning: 'a schema became `false`: nothing is accepted there any more',
    hint: 'keep it and mark it deprecated',
  },
  'schema-no-longer-false': {
    meaning: 'a schema was `false` (nothing accepted) and now accepts values',
    hint: 'bump to a new resource',
  },
  'not-changed': { meaning: '`not` now excludes other values', hint: 'keep the old constraint' },
  'any-of-narrowed': {
    meaning: 'values accepted before match no `anyOf` branch (a branch was removed or narrowed)',
    hint: 'keep the old branches and add new ones',
  },
  'any-of-widened': {
    meaning:
      'the next schema accepts values matching no previous `anyOf` branch (a branch was added or widened)',
    hint: 'bump to a new resource',
  },
  'one-of-narrowed': {
    meaning:
      'values accepted before match no `oneOf` branch, or more than one (a branch was removed, narrowed, or added overlapping)',
    hint: 'keep the old branches and add new ones',
  },
  'one-of-widened': {
    meaning:
      'the next schema accepts values matching no previous `oneOf` branch (a branch was added or widened)',
    hint: 'bump to a new resource',
  },

  'type-narrowed': tighter('`type` admits fewer types'),
  'type-widened': looser('`type` admits more types'),
  'enum-value-removed': {
    meaning: 'an `enum` (or `const`) value allowed before is no longer allowed',
    hint: 'keep the old values and add new ones',
  },
  'enum-value-added': {
    meaning: 'an `enum` value is allowed that the previous schema did not allow',
    hint: 'bump to a new resource',
  },
  'const-changed': {
    meaning: '`const` changed to another value',
    hint: 'keep the old values and add new ones',
  },
  'enum-added': tighter('`enum` added where any value was accepted'),
  'enum-removed': looser('`enum` removed: any value is accepted'),
  'const-added': tighter('`const` added where any value was accepted'),
  'const-removed': looser('`const` removed: any value is accepted'),
  'min-length-increased': tighter('`minLength` raised (or added)'),
  'min-length-decreased': looser('`minLength` lowered (or removed)'),
  'max-length-decreased': tighter('`maxLength` lowered (or added)'),
  'max-length-increased': looser('`maxLength` raised (or removed)'),
  'pattern-added': tighter('`pattern` added'),
  'pattern-removed': looser('`pattern` removed'),
  'pattern-changed': {
    meaning: '`pattern` changed to another one (patterns are not compared: fail closed)',
    hint: 'keep the old constraint',
  },
  'format-added': tighter('`format` added'),
  'format-removed': looser('`format` removed'),
  'format-changed': {
    meaning: '`format` changed to another one (formats are not compared: fail closed)',
    hint: 'keep the old constraint',
  },
  'minimum-increased': tighter('lower bound (`minimum`/`exclusiveMinimum`) tightened or added'),
  'minimum-decreased': looser('lower bound (`minimum`/`exclusiveMinimum`) loosened or removed'),
  'maximum-decreased': tighter('upper bound (`maximum`/`exclusiveMaximum`) tightened or added'),
  'maximum-increased': looser('upper bound (`maximum`/`exclusiveMaximum`) loosened or removed'),
  'multiple-of-added': tighter('`multipleOf` added'),
  'multiple-of-removed': looser('`multipleOf` removed'),
  'multiple-of-changed': {
    meaning: '`multipleOf` changed to a value the old one is not a multiple of (or the reverse)',
    hint: 'keep the old constraint',
  },

  'min-items-increased': tighter('`minItems` raised (or added)'),
  'min-items-decreased': looser('`minItems` lowered (or removed)'),
  'max-items-decreased': tighter('`maxItems` lowered (or added)'),
  'max-items-increased': looser('`maxItems` raised (or removed)'),
  'unique-items-added': tighter('`uniqueItems` added'),
  'unique-items-removed': looser('`uniqueItems` removed'),
  'contains-added': tighter('`contains` added'),
  'contains-removed': looser('`contains` removed'),
  'contains-changed': {
    meaning: '`contains`/`minContains`/`maxContains` changed so that other arrays qualify',
    hint: 'keep the old constraint',
  },

  'min-properties-increased': tighter('`minProperties` raised (or added)'),
  'min-properties-decreased': looser('`minProperties` lowered (or removed)'),
  'max-properties-decreased': tighter('`maxProperties` lowered (or added)'),
  'max-properties-increased': looser('`maxProperties` raised (or removed)'),
  'property-became-required': { meaning: 'a property became required', hint: 'add it as optional' },
  'property-no-longer-required': { meaning: 'a required property became optional', hint: 'keep it required' },
  'property-removed': {
    meaning: 'a property was removed from a closed content model (`additionalProperties: false`)',
    hint: 'keep it and mark it deprecated',
  },
  'property-added': {
    meaning: 'a property was added to a closed content model (`additionalProperties: false`)',
    hint: 'bump to a new resource',
  },
  'property-added-to-open-model': {
    meaning:
      'an optional property was added to an open content model (earlier data may carry it with any value)',
    hint: 'declare it accepting any value, or use the lenient policy',
  },
  'property-removed-from-open-model': {
    meaning: 'a property was removed from an open content model (new data may carry it with any value)',
    hint: 'keep it and mark it deprecated',
  },
  'additional-properties-narrowed': tighter('`additionalProperties` narrowed (undeclared properties)'),
  'additional-properties-widened': looser('`additionalProperties` widened (undeclared properties)'),
  'unevaluated-properties-narrowed': tighter('`unevaluatedProperties` narrowed'),
  'unevaluated-properties-widened': looser('`unevaluatedProperties` widened'),
  'pattern-properties-narrowed': tighter('a `patternProperties` schema narrowed'),
  'pattern-properties-widened': looser('a `patternProperties` schema widened'),
  'pattern-property-added': tighter('a `patternProperties` entry added where such names accepted any value'),
  'pattern-property-removed': looser('a `patternProperties` entry removed: such names accept any value'),
  'dependent-required-added': {
    meaning:
      'a property is now required whenever another one is present (`dependentRequired`/`dependencies`)',
    hint: 'add it as optional',
  },
  'dependent-required-removed': {
    meaning: 'a property is no longer required when another one is present',
    hint: 'keep it required',
  },
  'dependent-schema-added': tighter('a schema now applies whenever a property is present'),
  'dependent-schema-removed': looser('the schema applied when a property is present was removed'),
  'property-names-narrowed': tighter('`propertyNames` narrowed'),
  'property-names-widened': looser('`propertyNames` widened'),
}
