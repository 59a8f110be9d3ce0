/**
 * The core relation: is every instance of A an instance of B? `sub(A, b)` returns the places where A admits an
 * instance b rejects (empty = A ⊆ b). It is sound, not complete: when unsure it reports (fail closed).
 *
 * A is a conjunction of nodes (allOf and $ref followed); its anyOf/oneOf/if are split into branches, each checked
 * alone. B is checked keyword group by keyword group, which is exact for a conjunction. Pairs are memoised by node
 * identity; a pair met again while being checked is assumed to hold (coinduction), so recursive schemas terminate.
 */
import { canonical, refFree } from './canonical.ts'
import type { JsonType } from './keywords.ts'
import {
  JSON_TYPES,
  bound,
  declaredTypes,
  isAnnotation,
  isAssertion,
  isTrivial,
  num,
  tuple,
  typeOf,
} from './keywords.ts'
import type { Doc, Draft, Node, Obj } from './resolve.ts'
import { adopt, docFor, isObj, resolveRef } from './resolve.ts'
import type { Conj, Disjunction, Engine, Facts, Flat, RuleInput, Said } from './rules/context.ts'
import { arrayRule } from './rules/arrays.ts'
import { govern, objectRule } from './rules/objects.ts'
import { enumRule, numberRule, stringRule, typeRule } from './rules/scalars.ts'
import type { Direction, Finding } from './types.ts'
import { valueMatches } from './value.ts'
import { deepEqual } from './canonical.ts'

const ids = new WeakMap<object, number>()
/** Thrown by the fail-fast sink of `holds` at the first finding; caught by that `holds`. */
const FAIL = Symbol('compat: fail fast')
/** A sink whose first push aborts the check: `holds` needs a yes/no, not every difference. */
class FailFast extends Array<Finding> {
  override push(...items: Finding[]): number {
    if (items.length > 0) throw FAIL
    return this.length
  }
}
/** What a fail-fast `sub` returns: never reported (its sink aborts), so the kind does not matter. */
const FAILED: Finding[] = [
  { kind: 'unjudgeable', path: '', what: 'does not hold', previous: undefined, next: undefined },
]
/** Memo key for the boolean schema `false` (booleans cannot key a WeakMap). */
const FALSE_KEY = {}

/** What is known about one (A conjunction, B node) pair. */
interface Pair {
  /** Differences, paths relative to the pair; set once final. */
  findings?: Finding[]
  /** The subschema relation; set once final. */
  holds?: boolean
  /** Stack position while the pair is being checked. */
  active?: number
  /**
   * Set for a success that leaned on the assumption about a pair still being checked: the lowest stack position
   * it leaned on. It may be reused while that pair is checked (the reuser leans on it too), and becomes final
   * when that pair's success is final, or is dropped when a pair checked meanwhile fails.
   */
  tentative?: number
}
let nextId = 1
function idOf(n: Node): string {
  if (typeof n === 'boolean') return n ? 'T' : 'F'
  let id = ids.get(n)
  if (id === undefined) ids.set(n, (id = nextId++))
  return String(id)
}

const TYPE_NODES = {} as Record<JsonType, Obj>
for (const t of JSON_TYPES) TYPE_NODES[t] = { type: t }
const negations = new WeakMap<Obj, Obj>()
const synthetic = new WeakMap<Obj, Record<string, string>>()
const unevaluated = { A: new WeakMap<Obj, Obj[]>(), B: new WeakMap<Obj, Obj[]>() }
const DISJUNCTIVE = new Set(['anyOf', 'oneOf', 'if', 'then', 'else'])
const REFS = ['$ref', '$dynamicRef', '$recursiveRef'] as const
const EMPTY: ReadonlySet<string> = new Set()
const NONE: readonly Obj[] = []

type Side = 'A' | 'B'

export class Checker implements Engine {
  /**
   * (A conjunction, B node) → what is known, keyed by identity. Plain Maps: they live as long as this Checker
   * (one comparison), and are much cheaper for the garbage collector than WeakMaps with one entry per node.
   */
  private readonly pairs = new Map<Conj, Map<object, Pair>>()
  private depth = 0
  private lowest = Infinity
  /** Pairs whose success is tentative, in the order they were settled (see Pair.tentative). */
  private readonly tentatives: Pair[] = []
  /** True while answering `holds`: findings are not collected, the first one aborts. */
  private failFast = false
  /** Index of the A branch being checked: B's branch at the same index is tried first (an order, not a result). */
  private hint: number | undefined
  private readonly flats = { A: new Map<Conj, Flat>(), B: new Map<Conj, Flat>() }
  private readonly factsCache = new Map<Conj, Facts>()
  private readonly excludedCache = new Map<Conj, readonly Node[]>()
  /** A split's owner (`id:anyOf`, `id:oneOf`, `id:if`, as in `Conj.consumed`) → the node holding it. */
  private readonly owners = new Map<string, Obj>()
  private readonly conjs = new Map<string, Conj>()
  /** Single-node conjunctions, the common case, without building a key. */
  private readonly singles = new Map<object, Conj>()
  private readonly noNodes: Conj = { nodes: [], consumed: new Set(), key: '|' }
  /** Reference-free nodes by draft and canonical text: identical copies share one node, hence memo entries. */
  private readonly reps = new Map<string, Obj>()
  private readonly repOf = new Map<Obj, Obj>()

  constructor(
    readonly direction: Direction,
    readonly docA: Doc,
    readonly docB: Doc,
  ) {}

  /** previous ⊆ next (BACKWARD) or next ⊆ previous (FORWARD), from the roots. */
  run(a: Node, b: Node): Finding[] {
    return dedupe(this.sub(this.conj([a]), b, ''))
  }

  /** The representative of `n`: the first node met with the same meaning (same draft, reference-free, same text). */
  private rep<T extends Node>(n: T): T {
    if (typeof n === 'boolean') return n
    const known = this.repOf.get(n)
    if (known) return known as T
    let r: Obj = n
    if (refFree(n)) {
      const key = `${this.draftOf(n)} ${canonical(n)}`
      const hit = this.reps.get(key)
      if (hit) r = hit
      else this.reps.set(key, n)
    }
    this.repOf.set(n, r)
    return r as T
  }

  draftOf(node: Node): Draft {
    return docFor(node, this.docA).draft
  }

  labelOf(node: Obj, keyword: string): string {
    return synthetic.get(node)?.[keyword] ?? keyword
  }

  finding(path: string, backward: Said, forward: Said, a: unknown, b: unknown, lenient = false): Finding {
    const [kind, what] = this.direction === 'BACKWARD' ? backward : forward
    const bw = this.direction === 'BACKWARD'
    return { kind, path, what, previous: bw ? a : b, next: bw ? b : a, ...(lenient ? { lenient } : {}) }
  }

  conj(nodes: readonly Node[], base?: Conj): Conj {
    if (base === undefined && nodes.length === 1) return this.single(nodes[0] as Node)
    return this.make(base ? [...base.nodes, ...nodes] : nodes, base?.consumed ?? EMPTY)
  }

  private single(node: Node): Conj {
    if (node === true) return this.noNodes
    const n = this.rep(node)
    const key = typeof n === 'boolean' ? FALSE_KEY : n
    let hit = this.singles.get(key)
    if (!hit) this.singles.set(key, (hit = { nodes: [n], consumed: EMPTY, key: `${idOf(n)}|` }))
    return hit
  }

  private make(nodes: readonly Node[], consumed: ReadonlySet<string>): Conj {
    const kept = new Map<string, Node>()
    for (const raw of nodes) {
      const n = this.rep(raw)
      if (n === true || (isObj(n) && this.exhausted(n, consumed))) continue
      kept.set(idOf(n), n)
    }
    if (consumed.size === 0) {
      if (kept.size === 0) return this.noNodes
      if (kept.size === 1) return this.single(kept.values().next().value as Node)
    }
    const ks = [...kept.keys()].sort()
    const cs = [...consumed].sort()
    const key = `${ks.join(',')}|${cs.join(',')}`
    let hit = this.conjs.get(key)
    if (!hit) this.conjs.set(key, (hit = { nodes: [...kept.values()], consumed: new Set(cs), key }))
    return hit
  }

  /** A node whose only assertions were split already adds nothing to a conjunction. */
  private exhausted(n: Obj, consumed: ReadonlySet<string>): boolean {
    if (consumed.size === 0) return false
    const id = idOf(n)
    const d = this.draftOf(n)
    return Object.keys(n).every(
      (k) =>
        !isAssertion(k, d) ||
        (DISJUNCTIVE.has(k) && consumed.has(`${id}:${k === 'then' || k === 'else' ? 'if' : k}`)),
    )
  }

  private pair(a: Conj, b: Node): Pair {
    const key = b === false ? FALSE_KEY : (b as Obj)
    let row = this.pairs.get(a)
    if (!row) this.pairs.set(a, (row = new Map()))
    let p = row.get(key)
    if (!p) row.set(key, (p = {}))
    return p
  }

  /**
   * A ⊆ b as a yes/no: stops at the first difference and memoises both answers per identity pair. A pair met again
   * while it is being checked is assumed to hold; an answer that leaned on such an assumption is not memoised.
   */
  holds(a: Conj, b: Node): boolean {
    if (b === true) return true
    b = this.rep(b)
    const p = this.pair(a, b)
    if (p.holds !== undefined) return p.holds
    const assumed = p.active ?? p.tentative
    if (assumed !== undefined) {
      this.lowest = Math.min(this.lowest, assumed)
      return true
    }
    const index = this.depth++
    p.active = index
    const mark = this.tentatives.length
    const saved = { lowest: this.lowest, failFast: this.failFast, hint: this.hint }
    this.lowest = Infinity
    this.failFast = true
    let ok = true
    try {
      this.check(a, b, '', new FailFast())
    } catch (e) {
      if (e !== FAIL) throw e
      ok = false
    } finally {
      this.depth--
      p.active = undefined
      this.failFast = saved.failFast
      this.hint = saved.hint
    }
    if (!ok) p.holds = false
    this.settle(p, index, mark, ok)
    this.lowest = Math.min(saved.lowest, this.lowest >= index ? Infinity : this.lowest)
    return ok
  }

  /**
   * After checking the pair at stack position `index`: a failure drops the tentative successes settled meanwhile
   * (they may have leaned on this pair holding); a final success makes them final too (they leaned on nothing
   * below it); a success that leaned on a pair below keeps them, and itself, tentative on that pair. Without this
   * a recursive schema re-checked every pair below a recursion point once per path to it: exponential.
   */
  private settle(p: Pair, index: number, mark: number, ok: boolean): void {
    const pending = this.tentatives
    if (!ok || this.lowest >= index) {
      for (let i = mark; i < pending.length; i++) {
        const t = pending[i] as Pair
        t.tentative = undefined
        if (ok) t.holds = true
      }
      pending.length = mark
      if (ok) p.holds = true
      return
    }
    for (let i = mark; i < pending.length; i++) (pending[i] as Pair).tentative = this.lowest
    p.tentative = this.lowest
    pending.push(p)
  }

  /** The places where A admits an instance b rejects (empty = A ⊆ b). Under `holds`, a yes/no in disguise. */
  sub(a: Conj, b: Node, path: string): Finding[] {
    if (b === true) return []
    if (this.failFast) return this.holds(a, b) ? [] : FAILED
    b = this.rep(b)
    const p = this.pair(a, b)
    // Met again: its differences were listed where it was first met; here one stands for them (listing all at
    // every path would be exponential in a recursive schema, each path to a pair repeating its whole list). One
    // the lenient policy does not tolerate, if any, so that the verdict is the same under either policy.
    if (p.findings) return rebase(p.findings.length > 1 ? [representative(p.findings)] : p.findings, path)
    if (p.holds === true) return []
    const assumed = p.active ?? p.tentative
    if (assumed !== undefined) {
      this.lowest = Math.min(this.lowest, assumed)
      return []
    }
    const index = this.depth++
    p.active = index
    const mark = this.tentatives.length
    const saved = this.lowest
    this.lowest = Infinity
    const out: Finding[] = []
    try {
      this.check(a, b, path, out)
    } finally {
      this.depth--
      p.active = undefined
    }
    const found = dedupe(out)
    // A failure is final; a success is final unless it leaned on an assumption about a pair still being checked.
    if (found.length > 0) {
      p.findings = path === '' ? found : found.map((f) => ({ ...f, path: f.path.slice(path.length) }))
      p.holds = false
    }
    this.settle(p, index, mark, found.length === 0)
    this.lowest = Math.min(saved, this.lowest >= index ? Infinity : this.lowest)
    return found
  }

  /** Pushes every place where A admits an instance b rejects into `out` (which may abort at the first). */
  private check(a: Conj, b: Node, path: string, out: Finding[]): void {
    const only = a.nodes.length === 1 && a.consumed.size === 0 ? a.nodes[0] : undefined
    if (
      only !== undefined &&
      (only === b ||
        (this.draftOf(only) === this.draftOf(b) &&
          refFree(only) &&
          refFree(b) &&
          canonical(only) === canonical(b)))
    )
      return
    const fa = this.flatten(a)
    if (fa.falsy) return
    const facts = this.facts(a)
    if (facts.unsat) return
    if (b === false) {
      out.push(this.becameFalse(path, only))
      return
    }
    if (isTrivial(b, this.draftOf(b))) return
    const split = fa.disjunctions[0]
    if (split) {
      const saved = this.hint
      const consumed = new Set([...a.consumed, split.owner])
      try {
        split.branches.forEach((branch, i) => {
          this.hint = i
          out.push(...this.sub(this.make([...a.nodes, ...branch], consumed), b, path))
        })
      } finally {
        this.hint = saved
      }
      return
    }
    if (facts.values?.every((v) => valueMatches(v, b, this.docB) === true)) return
    const fb = this.flattenSide(this.conj([b]), 'B')
    for (const u of fb.unjudgeable) {
      out.push(
        this.finding(
          `${path}${u.path}`,
          ['unjudgeable', `cannot judge: ${u.reason}`],
          ['unjudgeable', `cannot judge: ${u.reason}`],
          undefined,
          undefined,
        ),
      )
    }
    if (fb.falsy) {
      out.push(this.becameFalse(path, only))
      return
    }
    for (const c of fb.plains) this.plain(a, fa, facts, c, path, out)
    for (const d of fb.disjunctions) this.disjunction(a, facts, d, path, out)
    for (const n of fb.nots) {
      if (this.disjoint(a, n)) continue
      out.push(
        this.finding(
          `${path}/not`,
          ['not-changed', '"not" now rejects values that were accepted'],
          ['not-changed', '"not" no longer rejects values that the previous schema rejected'],
          undefined,
          n,
        ),
      )
    }
  }

  private becameFalse(path: string, a: Node | undefined): Finding {
    return this.finding(
      path,
      ['schema-became-false', 'the schema became false: nothing is accepted here any more'],
      ['schema-no-longer-false', 'the schema was false (nothing accepted) and now accepts values'],
      a,
      false,
    )
  }

  private plain(a: Conj, flat: Flat, facts: Facts, c: Obj, path: string, out: Finding[]): void {
    const draft = this.draftOf(c)
    const input: RuleInput = { engine: this, a, flat, facts, c, draft, path, out }
    typeRule(input)
    enumRule(input)
    stringRule(input)
    numberRule(input)
    arrayRule(input)
    objectRule(input)
    for (const k of Object.keys(c)) {
      if (isAnnotation(k) || isAssertion(k, draft)) continue
      if (flat.plains.some((p) => k in p && deepEqual(p[k], c[k]))) continue
      out.push(
        this.finding(
          `${path}/${k}`,
          [
            'unjudgeable',
            `keyword "${k}" is not a draft-${draft} assertion the engine knows; a change to it cannot be judged`,
          ],
          [
            'unjudgeable',
            `keyword "${k}" is not a draft-${draft} assertion the engine knows; a change to it cannot be judged`,
          ],
          undefined,
          c[k],
        ),
      )
    }
  }

  private disjunction(a: Conj, facts: Facts, d: Disjunction, path: string, out: Finding[]): void {
    if (d.kind === 'if') {
      const cond = d.node['if'] as Node
      const then = (d.node['then'] ?? true) as Node
      const otherwise = (d.node['else'] ?? true) as Node
      if (this.holds(a, cond)) out.push(...this.sub(a, then, `${path}/then`))
      else if (this.disjoint(a, cond)) out.push(...this.sub(a, otherwise, `${path}/else`))
      else out.push(...this.sub(a, then, `${path}/then`), ...this.sub(a, otherwise, `${path}/else`))
      return
    }
    const branches = d.branches.map((br) => br[0] as Node)
    const kw = d.kind
    const wanted = new Set(a.nodes.map((n) => canonical(n)))
    const hint = this.hint
    this.hint = undefined
    const score = (j: number) => (wanted.has(canonical(branches[j])) ? 2 : j === hint ? 1 : 0)
    const order = branches.map((_, j) => j).sort((x, y) => score(y) - score(x))
    const fits = (x: Conj, j: number) =>
      this.holds(x, branches[j] as Node) &&
      (kw === 'anyOf' || branches.every((o, k) => k === j || this.disjoint(x, o)))
    const anyFits = (x: Conj) => order.some((j) => fits(x, j))
    let fitted: boolean
    try {
      fitted = anyFits(a)
    } finally {
      this.hint = hint
    }
    if (fitted) return
    const types = [...facts.types].filter((t) => !(t === 'integer' && facts.types.has('number')))
    if (types.length > 1 && types.every((t) => anyFits(this.conj([TYPE_NODES[t]], a)))) return
    if (branches.length === 1 && branches[0] !== undefined) {
      out.push(...this.sub(a, branches[0], `${path}/${kw}/0`))
      return
    }
    const [narrowed, widened] =
      kw === 'anyOf'
        ? (['any-of-narrowed', 'any-of-widened'] as const)
        : (['one-of-narrowed', 'one-of-widened'] as const)
    const extra = kw === 'oneOf' ? ', or may match more than one' : ''
    out.push(
      this.finding(
        `${path}/${kw}`,
        [
          narrowed,
          `values accepted by the previous schema match no ${kw} branch of the next schema${extra} (a branch was removed or narrowed)`,
        ],
        [
          widened,
          `the next schema accepts values that match no ${kw} branch of the previous schema${extra} (a branch was added or widened)`,
        ],
        undefined,
        branches,
      ),
    )
  }

  flatten(a: Conj): Flat {
    return this.flattenSide(a, 'A')
  }

  /**
   * Follows allOf and references. On side A an unresolvable reference is dropped (A only grows: sound);
   * on side B it is unjudgeable.
   */
  private flattenSide(a: Conj, side: Side): Flat {
    const cached = this.flats[side].get(a)
    if (cached) return cached
    const plains: Obj[] = []
    const disjunctions: Disjunction[] = []
    const nots: Node[] = []
    const unjudgeable: { path: string; reason: string }[] = []
    let falsy = false
    const seen = new Set<Obj>()
    const walk = (n: Node, rel: string): void => {
      if (n === true) return
      if (n === false) {
        falsy = true
        return
      }
      if (seen.has(n)) return
      seen.add(n)
      const doc = docFor(n, side === 'A' ? this.docA : this.docB)
      const d = doc.draft
      for (const kw of REFS) {
        if (!(kw in n) || !isAssertion(kw, d)) continue
        const r = resolveRef(n, kw, doc)
        if (r.ok) walk(r.node, rel)
        else if (side === 'B') unjudgeable.push({ path: `${rel}/${kw}`, reason: r.reason })
      }
      if (d === '07' && '$ref' in n) return
      plains.push(n)
      if (Array.isArray(n['allOf'])) n['allOf'].forEach((s, i) => walk(s as Node, `${rel}/allOf/${i}`))
      for (const kind of ['anyOf', 'oneOf'] as const) {
        const list = n[kind]
        if (!Array.isArray(list)) continue
        const id = idOf(n)
        this.owners.set(`${id}:${kind}`, n)
        if (!a.consumed.has(`${id}:${kind}`)) {
          disjunctions.push({ owner: `${id}:${kind}`, kind, branches: list.map((s) => [s as Node]), node: n })
        }
      }
      if ('if' in n && ('then' in n || 'else' in n)) this.owners.set(`${idOf(n)}:if`, n)
      if ('if' in n && ('then' in n || 'else' in n) && !a.consumed.has(`${idOf(n)}:if`)) {
        const cond = n['if'] as Node
        disjunctions.push({
          owner: `${idOf(n)}:if`,
          kind: 'if',
          branches: [
            [cond, (n['then'] ?? true) as Node],
            [negate(cond, doc), (n['else'] ?? true) as Node],
          ],
          node: n,
        })
      }
      if ('not' in n) {
        // ¬¬Y is Y: a conjunct, so that a negated negation (an `if` branch's `not if`) is seen for what it is.
        const m = n['not'] as Node
        const inner = isObj(m) && 'not' in m && Object.keys(m).every((k) => k === 'not' || !isAssertion(k, d))
        if (inner) walk(m['not'] as Node, `${rel}/not/not`)
        else nots.push(m)
      }
      plains.push(...this.unevaluatedOf(n, side, doc))
    }
    for (const n of a.nodes) walk(n, '')
    const flat: Flat = { plains, disjunctions, nots, falsy, unjudgeable }
    this.flats[side].set(a, flat)
    return flat
  }

  /**
   * unevaluatedProperties/Items as engine-made nodes ("names not evaluated must satisfy U"). The evaluated set is
   * over-approximated on side A (A loses a constraint: sound) and under-approximated on side B.
   */
  private unevaluatedOf(n: Obj, side: Side, doc: Doc): readonly Obj[] {
    if (!('unevaluatedProperties' in n) && !('unevaluatedItems' in n)) return NONE
    const cache = unevaluated[side]
    const hit = cache.get(n)
    if (hit) return hit
    const out: Obj[] = []
    const d = doc.draft
    if (d !== '07') {
      const up = n['unevaluatedProperties']
      if (up !== undefined && up !== true) {
        const ev = { names: new Set<string>(), patterns: new Set<string>(), all: false }
        this.closure(n, side, (m) => {
          if ('additionalProperties' in m || ('unevaluatedProperties' in m && m !== n)) ev.all = true
          for (const k of Object.keys(isObj(m['properties']) ? m['properties'] : {})) ev.names.add(k)
          for (const k of Object.keys(isObj(m['patternProperties']) ? m['patternProperties'] : {}))
            ev.patterns.add(k)
        })
        if (!ev.all) {
          const node = adopt(
            {
              properties: Object.fromEntries([...ev.names].map((k) => [k, true])),
              patternProperties: Object.fromEntries([...ev.patterns].map((k) => [k, true])),
              additionalProperties: up,
            },
            doc,
          )
          synthetic.set(node, { additionalProperties: 'unevaluatedProperties' })
          out.push(node)
        }
      }
      const ui = n['unevaluatedItems']
      if (ui !== undefined && ui !== true) {
        let prefix = 0
        let all = false
        this.closure(n, side, (m) => {
          const t = tuple(m, this.draftOf(m))
          prefix = Math.max(prefix, t.prefix.length)
          if (
            t.rest !== undefined ||
            ('unevaluatedItems' in m && m !== n) ||
            (side === 'A' && 'contains' in m)
          )
            all = true
        })
        if (!all) {
          const trues = Array.from({ length: prefix }, () => true)
          const node = adopt(
            d === '2020-12' ? { prefixItems: trues, items: ui } : { items: trues, additionalItems: ui },
            doc,
          )
          synthetic.set(node, { items: 'unevaluatedItems', additionalItems: 'unevaluatedItems' })
          out.push(node)
        }
      }
    }
    cache.set(n, out)
    return out
  }

  /** Visits the nodes whose annotations reach `n`: allOf and $ref; on side A also every other applicator. */
  private closure(n: Obj, side: Side, visit: (m: Obj) => void): void {
    const seen = new Set<Obj>()
    const walk = (m: unknown): void => {
      if (!isObj(m) || seen.has(m)) return
      seen.add(m)
      visit(m)
      const doc = docFor(m, this.docA)
      for (const kw of REFS) {
        if (!(kw in m)) continue
        const r = resolveRef(m, kw, doc)
        if (r.ok) walk(r.node)
        else if (side === 'A') visit({ additionalProperties: true, items: true })
      }
      const lists = side === 'A' ? ['allOf', 'anyOf', 'oneOf'] : ['allOf']
      for (const k of lists) if (Array.isArray(m[k])) (m[k] as unknown[]).forEach(walk)
      if (side === 'A') {
        for (const k of ['if', 'then', 'else']) walk(m[k])
        if (isObj(m['dependentSchemas'])) Object.values(m['dependentSchemas']).forEach(walk)
      }
    }
    walk(n)
  }

  facts(a: Conj): Facts {
    const hit = this.factsCache.get(a)
    if (hit) return hit
    const flat = this.flatten(a)
    const types = new Set<JsonType>(JSON_TYPES)
    let values: unknown[] | undefined
    const required = new Set<string>()
    for (const p of flat.plains) {
      const dt = declaredTypes(p)
      if (dt) for (const t of [...types]) if (!dt.has(t)) types.delete(t)
      const vs = 'const' in p ? [p['const']] : Array.isArray(p['enum']) ? p['enum'] : undefined
      if (vs) values = values === undefined ? [...vs] : values.filter((v) => vs.some((w) => deepEqual(v, w)))
      if (Array.isArray(p['required']))
        for (const r of p['required']) if (typeof r === 'string') required.add(r)
    }
    // A negated type ({not: {type: T}}, what an `if` on a type leaves on its else side) removes T.
    for (const n of flat.nots) {
      const nt = isObj(n) ? declaredTypes(n) : undefined
      if (nt && Object.keys(n).every((k) => k === 'type' || !isAssertion(k, this.draftOf(n))))
        for (const t of nt) types.delete(t)
    }
    if (values) {
      values = values.filter(
        (v) => types.has(typeOf(v)) && a.nodes.every((n) => valueMatches(v, n, this.docA) !== false),
      )
      const vt = new Set(values.map(typeOf))
      for (const t of [...types]) if (!vt.has(t)) types.delete(t)
    }
    const lengths = (lo: string, hi: string) =>
      Math.max(0, ...flat.plains.map((p) => num(p[lo]) ?? 0)) >
      Math.min(Infinity, ...flat.plains.map((p) => num(p[hi]) ?? Infinity))
    if (lengths('minLength', 'maxLength')) types.delete('string')
    if (lengths('minItems', 'maxItems')) types.delete('array')
    if (lengths('minProperties', 'maxProperties')) types.delete('object')
    for (const r of required)
      if (flat.plains.some((p) => govern(p, r).includes(false))) types.delete('object')
    const lo = flat.plains.map((p) => bound(p, 'min')).filter((x) => x !== undefined)
    const hi = flat.plains.map((p) => bound(p, 'max')).filter((x) => x !== undefined)
    if (
      lo.some((l) =>
        hi.some((h) => l.value > h.value || (l.value === h.value && (l.exclusive || h.exclusive))),
      )
    ) {
      types.delete('number')
      types.delete('integer')
    }
    // `not` of a schema that accepts everything ({}, true) accepts nothing.
    const never = flat.nots.some((n) => isTrivial(n, this.draftOf(n)))
    const facts: Facts = {
      types,
      values,
      required,
      unsat: flat.falsy || never || types.size === 0 || values?.length === 0,
    }
    this.factsCache.set(a, facts)
    return facts
  }

  disjoint(a: Conj, b: Node): boolean {
    return this.apart(a, this.conj([b]), 0)
  }

  /** Sound: true only when no instance is in both. */
  private apart(a: Conj, b: Conj, depth: number): boolean {
    const fa = this.flatten(a)
    const fb = this.flatten(b)
    const xa = this.facts(a)
    const xb = this.facts(b)
    if (xa.unsat || xb.unsat) return true
    const common = [...xa.types].filter((t) => xb.types.has(t))
    if (common.length === 0) return true
    if (xa.values?.every((v) => b.nodes.some((n) => valueMatches(v, n, this.docB) === false))) return true
    if (xb.values?.every((v) => a.nodes.some((n) => valueMatches(v, n, this.docA) === false))) return true
    if (depth < 3 && common.every((t) => t === 'object')) {
      for (const r of xa.required) {
        if (!xb.required.has(r)) continue
        const ga = fa.plains.flatMap((p) => govern(p, r))
        const gb = fb.plains.flatMap((p) => govern(p, r))
        if (gb.length > 0 && ga.length > 0 && this.apart(this.conj(ga), this.conj(gb), depth + 1)) return true
      }
    }
    // Last, being the costliest: a schema one side excludes covers the other side.
    return this.excluded(a).some((n) => this.holds(b, n)) || this.excluded(b).some((n) => this.holds(a, n))
  }

  /**
   * Schemas no instance of `a` matches: its `not`s, and the sibling branches of a oneOf whose branch `a` holds.
   * Every node of a conjunction holds in full (a split disjunction too), so when a oneOf and one of its branches
   * are both among them, the instance matches that branch and hence none of the others. This is what proves a
   * oneOf's branches disjoint when they overlap or are reached through $ref: a oneOf compared with itself, or
   * with its branches reordered. Computed only when disjointness is asked and nothing cheaper settled it.
   */
  private excluded(a: Conj): readonly Node[] {
    const hit = this.excludedCache.get(a)
    if (hit) return hit
    const flat = this.flatten(a)
    const hasOneOf = (n: Node | undefined) => isObj(n) && Array.isArray(n['oneOf']) && n['oneOf'].length > 1
    if (
      !a.nodes.some(hasOneOf) &&
      !flat.plains.some(hasOneOf) &&
      ![...a.consumed].some((o) => hasOneOf(this.owners.get(o)))
    ) {
      this.excludedCache.set(a, flat.nots)
      return flat.nots
    }
    // What holds in full: the nodes, what they flatten to, and the owners of split disjunctions (which may have
    // left the conjunction, having nothing else to assert).
    const held = new Set<Node>([...a.nodes, ...flat.plains].map((n) => this.rep(n)))
    for (const owner of a.consumed) {
      const n = this.owners.get(owner)
      if (n !== undefined) held.add(this.rep(n))
    }
    const more: Node[] = []
    for (const p of held) {
      if (!isObj(p) || !Array.isArray(p['oneOf']) || p['oneOf'].length < 2) continue
      if (!isAssertion('oneOf', this.draftOf(p)) || (this.draftOf(p) === '07' && '$ref' in p)) continue
      const branches = (p['oneOf'] as Node[]).map((s) => this.rep(s))
      // A `true` branch matches every instance, and a held branch's twin (same text) matches with it.
      const matched = branches.filter((s) => s === true || held.has(s))
      // Two branches matched: no instance is left, which `true` (excluded) says.
      if (matched.length > 1) more.push(true)
      else if (matched.length === 1) for (const s of branches) if (s !== matched[0]) more.push(s)
    }
    const out = more.length > 0 ? [...flat.nots, ...more] : flat.nots
    this.excludedCache.set(a, out)
    return out
  }
}

function negate(n: Node, doc: Doc): Node {
  if (typeof n === 'boolean') return !n
  let hit = negations.get(n)
  if (!hit) negations.set(n, (hit = adopt({ not: n }, doc)))
  return hit
}

const representative = (fs: readonly Finding[]): Finding => (fs.find((f) => !f.lenient) ?? fs[0]) as Finding

const rebase = (fs: Finding[], path: string) =>
  path === '' ? fs : fs.map((f) => ({ ...f, path: path + f.path }))

function dedupe(fs: Finding[]): Finding[] {
  const seen = new Set<string>()
  return fs.filter((f) => {
    const k = `${f.kind} ${f.path}`
    if (seen.has(k)) return false
    seen.add(k)
    return true
  })
}
