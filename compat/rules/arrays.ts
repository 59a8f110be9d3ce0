/** minItems/maxItems, uniqueItems, items/prefixItems/additionalItems and contains. */
import type { Node } from '../resolve.ts'
import { num, tuple } from '../keywords.ts'
import type { RuleInput } from './context.ts'
import { minMaxRule } from './scalars.ts'

const maxItemsOf = (input: RuleInput) =>
  Math.min(...input.flat.plains.map((p) => num(p['maxItems']) ?? Infinity), Infinity)
const minItemsOf = (input: RuleInput) => Math.max(...input.flat.plains.map((p) => num(p['minItems']) ?? 0), 0)

export function arrayRule(input: RuleInput): void {
  if (!input.facts.types.has('array')) return
  minMaxRule(input, 'minItems')
  minMaxRule(input, 'maxItems')
  uniqueRule(input)
  itemsRule(input)
  containsRule(input)
}

function uniqueRule(input: RuleInput): void {
  const { c, engine, out, path, flat } = input
  if (c['uniqueItems'] !== true) return
  if (flat.plains.some((p) => p['uniqueItems'] === true) || maxItemsOf(input) <= 1) return
  out.push(
    engine.finding(
      `${path}/uniqueItems`,
      ['unique-items-added', 'uniqueItems added: arrays with repeated items are no longer accepted'],
      ['unique-items-removed', 'uniqueItems removed: arrays with repeated items are now accepted'],
      false,
      true,
    ),
  )
}

function itemsRule(input: RuleInput): void {
  const { c, engine, out, path, flat, draft } = input
  const b = tuple(c, draft)
  if (b.prefix.length === 0 && (b.rest === undefined || b.rest === true)) return
  const as = flat.plains.map((p) => tuple(p, engine.draftOf(p)))
  const maxA = maxItemsOf(input)
  const longest = Math.max(b.prefix.length, ...as.map((t) => t.prefix.length))
  const prefixKw = draft === '2020-12' ? 'prefixItems' : 'items'
  const restKw = draft === '2020-12' ? 'items' : b.prefix.length > 0 ? 'additionalItems' : 'items'
  for (let i = 0; i < longest && i < maxA; i++) {
    const gb = b.prefix[i] ?? b.rest
    const ga = as.map((t) => t.prefix[i] ?? t.rest).filter((n): n is Node => n !== undefined)
    if (ga.includes(false)) return // A's arrays are shorter than i + 1
    if (gb === undefined || gb === true) continue
    const at = i < b.prefix.length ? `${path}/${prefixKw}/${i}` : `${path}/${restKw}`
    out.push(...engine.sub(engine.conj(ga), gb, at))
  }
  if (longest >= maxA || b.rest === undefined || b.rest === true) return
  const ga = as.map((t) => t.rest).filter((n): n is Node => n !== undefined)
  out.push(...engine.sub(engine.conj(ga), b.rest, `${path}/${restKw}`))
}

function containsRule(input: RuleInput): void {
  const { c, engine, out, path, flat, draft } = input
  if (!('contains' in c)) return
  const cb = c['contains'] as Node
  const minB = draft === '07' ? 1 : (num(c['minContains']) ?? 1)
  const maxB = draft === '07' ? undefined : num(c['maxContains'])
  const withContains = flat.plains.filter((p) => 'contains' in p)
  const minOf = (p: (typeof withContains)[number]) =>
    engine.draftOf(p) === '07' ? 1 : (num(p['minContains']) ?? 1)
  const maxOf = (p: (typeof withContains)[number]) =>
    engine.draftOf(p) === '07' ? undefined : num(p['maxContains'])
  const rests = flat.plains.map((p) => tuple(p, engine.draftOf(p)))
  const minOk =
    minB === 0 ||
    withContains.some((p) => minOf(p) >= minB && engine.holds(engine.conj([p['contains'] as Node]), cb)) ||
    (minItemsOf(input) >= minB &&
      rests.every((t) => t.prefix.length === 0) &&
      engine.holds(engine.conj(rests.map((t) => t.rest ?? true)), cb))
  const maxOk =
    maxB === undefined ||
    maxItemsOf(input) <= maxB ||
    withContains.some((p) => {
      const m = maxOf(p)
      return m !== undefined && m <= maxB && engine.holds(engine.conj([cb]), p['contains'] as Node)
    })
  if (minOk && maxOk) return
  const first = withContains[0]
  out.push(
    first === undefined
      ? engine.finding(
          `${path}/contains`,
          ['contains-added', 'contains added: arrays without a matching item are no longer accepted'],
          ['contains-removed', 'contains removed: arrays without a matching item are now accepted'],
          undefined,
          cb,
        )
      : engine.finding(
          `${path}/contains`,
          ['contains-changed', 'contains/minContains/maxContains tightened: some arrays no longer qualify'],
          [
            'contains-changed',
            'contains/minContains/maxContains loosened: arrays that did not qualify now do',
          ],
          first['contains'],
          cb,
        ),
  )
}
