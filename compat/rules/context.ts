import { escapePointerToken } from '../../core/json.ts'
/** What a rule sees: the checked conjunction A, facts about it, one plain node `c` of B, and a way to recurse. */
import type { JsonType } from '../keywords.ts'
import type { Doc, Draft, Node, Obj } from '../resolve.ts'
import type { Finding } from '../types.ts'
import type { DifferenceKind } from './kinds.ts'

/** A conjunction of schema nodes on the checked side; `consumed` marks disjunctions already split. */
export interface Conj {
  readonly nodes: readonly Node[]
  readonly consumed: ReadonlySet<string>
  readonly key: string
}

export interface Flat {
  /** Nodes whose own assertion keywords apply (allOf and $ref followed). */
  readonly plains: readonly Obj[]
  readonly disjunctions: readonly Disjunction[]
  readonly nots: readonly Node[]
  readonly falsy: boolean
  readonly unjudgeable: readonly { path: string; reason: string }[]
}

export interface Disjunction {
  readonly owner: string
  readonly kind: 'anyOf' | 'oneOf' | 'if'
  /** Each branch is a list of nodes to add to the conjunction. For `if`: [if, then] and [not if, else]. */
  readonly branches: readonly (readonly Node[])[]
  readonly node: Obj
}

export interface Facts {
  readonly types: ReadonlySet<JsonType>
  /** Set when A admits finitely many values (enum/const). */
  readonly values: readonly unknown[] | undefined
  readonly required: ReadonlySet<string>
  readonly unsat: boolean
}

/** One side of a change, described per direction. */
export type Said = readonly [kind: DifferenceKind, what: string]

export interface Engine {
  readonly docA: Doc
  conj(nodes: readonly Node[], base?: Conj): Conj
  flatten(a: Conj): Flat
  facts(a: Conj): Facts
  sub(a: Conj, b: Node, path: string): Finding[]
  /** A ⊆ b, nothing reported. */
  holds(a: Conj, b: Node): boolean
  disjoint(a: Conj, b: Node): boolean
  finding(path: string, backward: Said, forward: Said, a: unknown, b: unknown, lenient?: boolean): Finding
  draftOf(node: Node): Draft
  /** Label for the keyword an engine-made node stands for (unevaluatedProperties → additionalProperties). */
  labelOf(node: Obj, keyword: string): string
}

export interface RuleInput {
  readonly engine: Engine
  readonly a: Conj
  readonly flat: Flat
  readonly facts: Facts
  readonly c: Obj
  readonly draft: Draft
  readonly path: string
  readonly out: Finding[]
}

/** Values of keyword `k` across A's plain nodes, where that keyword applies. */
export const valuesOf = (input: RuleInput, k: string): unknown[] =>
  input.flat.plains.filter((p) => k in p).map((p) => p[k])

export const pointer = escapePointerToken

export const show = (v: unknown): string => (v === undefined ? 'none' : JSON.stringify(v))
