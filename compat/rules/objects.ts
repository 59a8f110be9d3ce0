/**
 * Object keywords. Each property name is governed, on each side, by `properties[name]` and the matching
 * `patternProperties`, or else by `additionalProperties` (absent = any value): the content model is open
 * (additionalProperties absent/true), closed (false) or partially open (a schema, or patternProperties).
 */
import type { Node, Obj } from '../resolve.ts'
import { isObj } from '../resolve.ts'
import { isAssertion } from '../keywords.ts'
import { patternTest } from '../patterns.ts'
import { valueMatches } from '../value.ts'
import type { Engine, RuleInput } from './context.ts'
import { pointer, show } from './context.ts'
import type { DifferenceKind } from './kinds.ts'
import { minMaxRule } from './scalars.ts'

/** A pattern that cannot run on the linear-time engine is taken to match: the name may be governed by it. */
export const matches = (pattern: string, name: string): boolean => patternTest(pattern, name) ?? true

/** The keyword governing undeclared names (as labelled) → its kinds when narrowed and when widened. */
const REST_KINDS = {
  additionalProperties: ['additional-properties-narrowed', 'additional-properties-widened'],
  unevaluatedProperties: ['unevaluated-properties-narrowed', 'unevaluated-properties-widened'],
  patternProperties: ['pattern-properties-narrowed', 'pattern-properties-widened'],
} as const satisfies Record<string, readonly [DifferenceKind, DifferenceKind]>
const restKinds = (kw: string) =>
  Object.hasOwn(REST_KINDS, kw) ? REST_KINDS[kw as keyof typeof REST_KINDS] : REST_KINDS.additionalProperties
const mapOf = (v: unknown): Obj => (isObj(v) ? v : {})

/** Schemas governing `name` in one node; empty when nothing constrains it. */
export function govern(p: Obj, name: string): Node[] {
  const out: Node[] = []
  const props = mapOf(p['properties'])
  if (Object.hasOwn(props, name)) out.push(props[name] as Node)
  for (const [pattern, s] of Object.entries(mapOf(p['patternProperties'])))
    if (matches(pattern, name)) out.push(s as Node)
  if (out.length === 0 && 'additionalProperties' in p) out.push(p['additionalProperties'] as Node)
  return out.filter((n) => n !== true)
}

const STRING: Obj = { type: 'string' }

/**
 * `{type: object, required: [name]}`, one node per name and per check (engine), so that memo keys (node identity)
 * stay stable within a check and nothing outlives it: names come from whatever the public route is sent.
 */
const presentNodes = new WeakMap<Engine, Map<string, Obj>>()
function present(engine: Engine, name: string): Obj {
  let names = presentNodes.get(engine)
  if (!names) presentNodes.set(engine, (names = new Map()))
  let n = names.get(name)
  if (!n) names.set(name, (n = { type: 'object', required: [name] }))
  return n
}

export function objectRule(input: RuleInput): void {
  if (!input.facts.types.has('object')) return
  minMaxRule(input, 'minProperties', input.facts.required.size)
  minMaxRule(input, 'maxProperties')
  requiredRule(input)
  propertiesRule(input)
  dependenciesRule(input)
  propertyNamesRule(input)
}

const governA = (input: RuleInput, name: string) => input.flat.plains.flatMap((p) => govern(p, name))

function requiredRule(input: RuleInput): void {
  const { c, engine, out, path, facts } = input
  const required = Array.isArray(c['required'])
    ? c['required'].filter((r): r is string => typeof r === 'string')
    : []
  for (const r of required) {
    if (facts.required.has(r)) continue
    const own = mapOf(c['properties'])[r]
    const withDefault = isObj(own) && 'default' in own
    const note = withDefault ? ` (it has a default, ${show(own['default'])})` : ''
    out.push(
      engine.finding(
        `${path}/required`,
        [
          'property-became-required',
          `property "${r}" became required${note}: data without it is no longer accepted`,
        ],
        [
          'property-no-longer-required',
          `property "${r}" is no longer required${note}: data without it is now written`,
        ],
        [...facts.required],
        required,
        withDefault,
      ),
    )
  }
}

function propertiesRule(input: RuleInput): void {
  const { c, engine, out, path, flat } = input
  const propsB = mapOf(c['properties'])
  const patternsB = mapOf(c['patternProperties'])
  const declaredA = new Set(flat.plains.flatMap((p) => Object.keys(mapOf(p['properties']))))
  const names = new Set([...Object.keys(propsB), ...declaredA])
  const addKw = engine.labelOf(c, 'additionalProperties')
  for (const name of names) {
    const gb = govern(c, name)
    if (gb.length === 0) continue
    const ga = governA(input, name)
    if (ga.includes(false)) continue // A never has this property
    const inA = declaredA.has(name)
    const inB = Object.hasOwn(propsB, name)
    const at = `${path}/${inB || inA ? `properties/${pointer(name)}` : addKw}`
    for (const g of gb) {
      if (g === false) {
        out.push(
          inA
            ? engine.finding(
                at,
                [
                  'property-removed',
                  `property "${name}" removed from a closed model: data carrying it is no longer accepted`,
                ],
                [
                  'property-added',
                  `property "${name}" added to a closed model: the previous schema rejects data carrying it`,
                ],
                'allowed',
                'forbidden',
              )
            : engine.finding(
                at,
                [
                  'additional-properties-narrowed',
                  `property "${name}" is no longer allowed as an additional property`,
                ],
                [
                  'additional-properties-widened',
                  `property "${name}" is now allowed as an additional property`,
                ],
                'allowed',
                'forbidden',
              ),
        )
        continue
      }
      const fs = engine.sub(engine.conj(ga), g, at)
      if (fs.length === 0) continue
      if (!inA && ga.length === 0 && inB && openFor(input, name)) {
        out.push(
          engine.finding(
            at,
            [
              'property-added-to-open-model',
              `optional property "${name}" added to an open content model: earlier data may carry "${name}" with any value`,
            ],
            [
              'property-removed-from-open-model',
              `property "${name}" removed from an open content model: new data may carry "${name}" with any value`,
            ],
            undefined,
            g,
            true,
          ),
        )
      } else out.push(...fs)
    }
  }
  restRule(input, c['additionalProperties'], Object.keys(patternsB), addKw, `${path}/${addKw}`)
  for (const [pattern, s] of Object.entries(patternsB)) {
    restRule(
      input,
      s,
      [pattern],
      'patternProperties',
      `${path}/patternProperties/${pointer(pattern)}`,
      pattern,
    )
  }
}

/** True when A leaves `name` unconstrained because its content model is open (no patterns, no additionalProperties). */
function openFor(input: RuleInput, name: string): boolean {
  return input.flat.plains.every(
    (p) =>
      govern(p, name).length === 0 && !('additionalProperties' in p && p['additionalProperties'] !== true),
  )
}

/**
 * Undeclared names governed in B by `sb` (additionalProperties, or the pattern `samePattern`).
 * Sufficient: one plain node of A governs every such name with a subset of `sb`.
 */
function restRule(
  input: RuleInput,
  sbRaw: unknown,
  patternsB: string[],
  kw: string,
  at: string,
  samePattern?: string,
): void {
  const { engine, out, flat } = input
  if (sbRaw === undefined || sbRaw === true) return
  const [narrowed, widened] = restKinds(kw)
  const sb = sbRaw as Node
  const covers = (p: Obj): boolean => {
    const pats = mapOf(p['patternProperties'])
    if (samePattern !== undefined && Object.hasOwn(pats, samePattern))
      return engine.holds(engine.conj([pats[samePattern] as Node]), sb)
    const add = 'additionalProperties' in p ? (p['additionalProperties'] as Node) : true
    if (!engine.holds(engine.conj([add]), sb)) return false
    return Object.entries(pats).every(
      ([q, s]) =>
        (samePattern === undefined && patternsB.includes(q)) || engine.holds(engine.conj([s as Node]), sb),
    )
  }
  if (flat.plains.some(covers)) return
  const p0 = flat.plains.find((p) => 'additionalProperties' in p || 'patternProperties' in p)
  const addA = p0 && 'additionalProperties' in p0 ? (p0['additionalProperties'] as Node) : true
  const open = p0 === undefined || addA === true
  const label = samePattern === undefined ? kw : `patternProperties "${samePattern}"`
  if (open) {
    out.push(
      engine.finding(
        at,
        [
          samePattern === undefined ? narrowed : 'pattern-property-added',
          `${label} narrowed from any value to ${show(sb)}: earlier data may carry undeclared properties that no longer fit`,
        ],
        [
          samePattern === undefined ? widened : 'pattern-property-removed',
          `${label} widened from ${show(sb)} to any value`,
        ],
        true,
        sb,
        sb !== false,
      ),
    )
    return
  }
  const fs = engine.sub(engine.conj([addA]), sb, at)
  out.push(
    ...(fs.length > 0
      ? fs
      : [
          engine.finding(
            at,
            [narrowed, `${label} narrowed: some undeclared properties allowed before are rejected`],
            [widened, `${label} widened: undeclared properties rejected before are allowed`],
            p0?.['patternProperties'],
            sb,
          ),
        ]),
  )
}

function dependenciesRule(input: RuleInput): void {
  const { c, engine, out, path, flat, facts, a, draft } = input
  const depReq: [string, string[], string][] = []
  const depSchemas: [string, Node, string][] = []
  const collect = (
    p: Obj,
    d: typeof draft,
    into: [string, string[], string][],
    intoS: [string, Node, string][],
  ) => {
    if (isAssertion('dependentRequired', d))
      for (const [k, v] of Object.entries(mapOf(p['dependentRequired'])))
        if (Array.isArray(v))
          into.push([k, v.filter((x): x is string => typeof x === 'string'), 'dependentRequired'])
    if (isAssertion('dependentSchemas', d))
      for (const [k, v] of Object.entries(mapOf(p['dependentSchemas'])))
        intoS.push([k, v as Node, 'dependentSchemas'])
    if (isAssertion('dependencies', d)) {
      for (const [k, v] of Object.entries(mapOf(p['dependencies']))) {
        if (Array.isArray(v))
          into.push([k, v.filter((x): x is string => typeof x === 'string'), 'dependencies'])
        else intoS.push([k, v as Node, 'dependencies'])
      }
    }
  }
  collect(c, draft, depReq, depSchemas)
  const aReq: [string, string[], string][] = []
  const aSchemas: [string, Node, string][] = []
  for (const p of flat.plains) collect(p, engine.draftOf(p), aReq, aSchemas)
  for (const [prop, qs, kw] of depReq) {
    if (governA(input, prop).includes(false)) continue
    for (const q of qs) {
      if (facts.required.has(q) || aReq.some(([k, vs]) => k === prop && vs.includes(q))) continue
      out.push(
        engine.finding(
          `${path}/${kw}/${pointer(prop)}`,
          ['dependent-required-added', `"${q}" is now required whenever "${prop}" is present`],
          ['dependent-required-removed', `"${q}" is no longer required when "${prop}" is present`],
          undefined,
          qs,
        ),
      )
    }
  }
  for (const [prop, s, kw] of depSchemas) {
    if (governA(input, prop).includes(false)) continue
    // The schema applies only to objects carrying `prop`: check A restricted to those.
    const carrying = engine.conj([present(engine, prop)], a)
    if (engine.holds(carrying, s)) continue
    const own = aSchemas.filter(([k]) => k === prop).map(([, v]) => v)
    const at = `${path}/${kw}/${pointer(prop)}`
    if (own.length === 0) {
      out.push(
        engine.finding(
          at,
          ['dependent-schema-added', `a schema now applies whenever "${prop}" is present`],
          ['dependent-schema-removed', `the schema applied when "${prop}" is present was removed`],
          undefined,
          s,
        ),
      )
    } else out.push(...engine.sub(engine.conj(own, carrying), s, at))
  }
}

function propertyNamesRule(input: RuleInput): void {
  const { c, engine, out, path, flat } = input
  if (!('propertyNames' in c) || c['propertyNames'] === true) return
  const s = c['propertyNames'] as Node
  const own = flat.plains.filter((p) => 'propertyNames' in p).map((p) => p['propertyNames'] as Node)
  if (engine.holds(engine.conj([...own, STRING]), s)) return
  const closedOk = flat.plains.some(
    (p) =>
      p['additionalProperties'] === false &&
      Object.keys(mapOf(p['patternProperties'])).length === 0 &&
      Object.keys(mapOf(p['properties'])).every((n) => valueMatches(n, s, engine.docA) === true),
  )
  if (closedOk) return
  out.push(
    engine.finding(
      `${path}/propertyNames`,
      [
        'property-names-narrowed',
        `propertyNames narrowed to ${show(s)}: some property names allowed before are rejected`,
      ],
      [
        'property-names-widened',
        `propertyNames widened from ${show(s)}: property names rejected before are allowed`,
      ],
      own[0],
      s,
    ),
  )
}
