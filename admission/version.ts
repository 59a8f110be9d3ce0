/**
 * The admission rule: may this candidate join this resource's history? One pure function for the generator,
 * `contracts check`, and the registry's registrations and seeding.
 */
import type { Issue } from '../core/errors.ts'
import { escapePointerToken } from '../core/json.ts'
import { RESOURCE_NAME, schemaUri } from '../core/uri.ts'
import { checkTransitive, isMode, MODE_MEANINGS, MODES, type Mode } from '../compat/index.ts'
import { changeKeywordIssues } from './change-keywords.ts'
import { documentIssues, isJsonObject, resolveFragment } from './document.ts'
import {
  DEFAULT_LIMITS,
  type Admission,
  type AdmissionDifference,
  type AdmissionOptions,
  type Admitted,
  type Candidate,
  type JsonObject,
  type RefusalCode,
  type Refused,
  type ResourceState,
} from './types.ts'

/** Kafka's legal topic characters; 200 leaves room for an environment prefix and the `.dlq` suffix. */
const TOPIC = /^[A-Za-z0-9._-]{1,200}$/
/**
 * What a partition-key property name may not hold: control characters (NUL cannot even be stored) and lone
 * surrogates (they would be stored as U+FFFD, a different name). Nobody means either.
 */
function unstorable(name: string): boolean {
  for (const ch of name) {
    const c = ch.codePointAt(0) as number
    if (c < 0x20 || c === 0x7f || (c >= 0xd800 && c <= 0xdfff)) return true
  }
  return false
}

type Found = { code: RefusalCode; issue: Issue }

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`

/** The refusal for a set of issues: its code is the most serious kind among them. */
export function refusal(found: readonly Found[], subject: string): Refused {
  const codes = new Set(found.map((f) => f.code))
  const code: RefusalCode = codes.has('SCHEMA_INVALID')
    ? 'SCHEMA_INVALID'
    : codes.has('INCOMPATIBLE_SCHEMA')
      ? 'INCOMPATIBLE_SCHEMA'
      : 'SCHEMA_CONFLICT'
  return {
    ok: false,
    code,
    issues: found.map((f) => f.issue),
    summary: `${subject} refused: ${plural(found.length, 'problem')}`,
  }
}

/** A compatibility difference as an issue: keyword the kind, path the schema pointer, versions in params. */
export function differenceIssue(d: AdmissionDifference, version: number, prefix = ''): Issue {
  return {
    path: d.path,
    keyword: d.kind,
    // The compatible alternative rides along, so every report (CLI, 409, seeding) says what to do instead.
    message: `${prefix}${d.against === undefined ? '' : `against version ${d.against}: `}${d.message}; instead: ${d.hint}`,
    params: {
      kind: d.kind,
      hint: d.hint,
      previous: d.previous,
      next: d.next,
      direction: d.direction,
      against: d.against,
      version,
    },
  }
}

/** The property schema the key names, through local `$ref`s. */
function keySchema(schema: JsonObject, key: string): JsonObject | undefined {
  let node = isJsonObject(schema.properties) ? schema.properties[key] : undefined
  for (let hops = 0; isJsonObject(node) && typeof node.$ref === 'string' && hops < 8; hops++)
    node = node.$ref.startsWith('#') ? resolveFragment(schema, node.$ref.slice(1)) : undefined
  return isJsonObject(node) ? node : undefined
}

/** x-topic and x-key: a new resource names both, later versions keep them; the key is a required string or integer. */
function annotationIssues(
  schema: JsonObject,
  state: ResourceState,
): { found: Found[]; topic?: string; key?: string } {
  const found: Found[] = []
  const invalid = (issue: Issue) => found.push({ code: 'SCHEMA_INVALID', issue })
  const conflict = (issue: Issue) => found.push({ code: 'SCHEMA_CONFLICT', issue })
  const topic = schema['x-topic']
  const key = schema['x-key']
  const established = state.established
  if (topic !== undefined && (typeof topic !== 'string' || !TOPIC.test(topic)))
    invalid({
      path: '/x-topic',
      keyword: 'x-topic',
      message: 'x-topic must name a Kafka topic: 1 to 200 letters, digits, ".", "_" or "-"',
      params: { pattern: TOPIC.source },
    })
  if (key !== undefined && typeof key !== 'string')
    invalid({ path: '/x-key', keyword: 'x-key', message: 'x-key must name the partition-key property' })
  else if (typeof key === 'string' && (key === '' || unstorable(key)))
    invalid({
      path: '/x-key',
      keyword: 'x-key',
      message:
        'x-key must name the partition-key property: not empty, no control characters (NUL included) and no lone surrogates',
      params: { key },
    })
  if (!established) {
    if (topic === undefined)
      invalid({
        path: '/x-topic',
        keyword: 'x-topic',
        message: `'${state.name}' is a new resource: x-topic must name its Kafka topic`,
      })
    if (key === undefined)
      invalid({
        path: '/x-key',
        keyword: 'x-key',
        message: `'${state.name}' is a new resource: x-key must name its partition-key property`,
      })
  } else {
    if (topic !== undefined && topic !== established.topic)
      conflict({
        path: '/x-topic',
        keyword: 'x-topic',
        message: `x-topic must stay '${established.topic}' across versions: a resource's topic never changes`,
        params: { allowedValue: established.topic },
      })
    if (key !== undefined && key !== established.key)
      conflict({
        path: '/x-key',
        keyword: 'x-key',
        message: `x-key must stay '${established.key}' across versions: a resource's partition key never changes`,
        params: { allowedValue: established.key },
      })
  }
  const effectiveKey = established?.key ?? (typeof key === 'string' ? key : undefined)
  if (effectiveKey !== undefined) {
    const required = Array.isArray(schema.required) ? schema.required : []
    if (!required.includes(effectiveKey))
      invalid({
        path: '/required',
        keyword: 'x-key',
        message: `the partition key '${effectiveKey}' (x-key) must be a required property: must include '${effectiveKey}'`,
        params: { key: effectiveKey },
      })
    const type = keySchema(schema, effectiveKey)?.type
    if (type !== 'string' && type !== 'integer')
      invalid({
        path: `/properties/${escapePointerToken(effectiveKey)}`,
        keyword: 'x-key',
        message: `the partition key '${effectiveKey}' (x-key) must be a property of type string or integer`,
        params: { key: effectiveKey },
      })
  }
  return {
    found,
    topic: established?.topic ?? (typeof topic === 'string' ? topic : undefined),
    key: effectiveKey,
  }
}

/**
 * A version never waives its own check: its `x-compatibility` is absent or the mode in force. Only a brand-new
 * resource with no mode of its own (`modeOpen`, the registry creating it) takes its first version's.
 */
function modeIssues(schema: JsonObject, state: ResourceState): { found: Found[]; mode: Mode } {
  const declared = schema['x-compatibility']
  if (declared === undefined) return { found: [], mode: state.mode }
  if (!isMode(declared))
    return {
      mode: state.mode,
      found: [
        {
          code: 'SCHEMA_INVALID',
          issue: {
            path: '/x-compatibility',
            keyword: 'x-compatibility',
            message: `x-compatibility must be one of ${MODES.join(', ')}`,
            params: { allowedValues: MODES },
          },
        },
      ],
    }
  if (declared === state.mode) return { found: [], mode: state.mode }
  if (state.modeOpen && state.history.length === 0 && !state.established) return { found: [], mode: declared }
  return {
    mode: state.mode,
    found: [
      {
        code: 'SCHEMA_CONFLICT',
        issue: {
          path: '/x-compatibility',
          keyword: 'x-compatibility',
          message: `x-compatibility "${declared}" is not the mode in force, ${state.mode} (${state.modeSource}): a version never waives its own check. Remove x-compatibility, or change the mode where it is set, as its own checked step`,
          params: { declared, mode: state.mode, source: state.modeSource },
        },
      },
    ],
  }
}

/**
 * Decides whether `candidate` may join the history of `state.name`. Checks, collecting every problem:
 * the document (a JSON object within `maxBytes` of canonical JSON and `maxDepth` levels, only `#…` references
 * that resolve inside it wherever a `$ref`/`$dynamicRef` appears, draft 2020-12, its meta-schema, a strict compile
 * with core's ajv); the resource name and the version number (the next one); `$id` (a file: the canonical URI; a
 * registry body: absent or the URI it gets); x-topic/x-key; the change-event keywords (change-keywords.ts);
 * x-compatibility against the mode in force; and, when the document is usable, compatibility with the history
 * under that mode (compat's `checkTransitive`).
 */
export function admitVersion(
  candidate: Candidate,
  state: ResourceState,
  options: AdmissionOptions = {},
): Admission<Admitted> {
  const limits = {
    maxBytes: options.maxBytes ?? DEFAULT_LIMITS.maxBytes,
    maxDepth: options.maxDepth ?? DEFAULT_LIMITS.maxDepth,
  }
  const { name } = state
  const { version } = candidate
  const subject = `version ${version} of '${name}'`
  const found: Found[] = []
  if (!RESOURCE_NAME.test(name))
    found.push({
      code: 'SCHEMA_INVALID',
      issue: {
        path: '',
        keyword: 'name',
        message: `resource name '${name}' must be lower-case words joined by dashes`,
        params: { pattern: RESOURCE_NAME.source },
      },
    })
  const last = state.lastVersion ?? state.history.at(-1)?.version ?? 0
  if (version !== last + 1)
    found.push({
      code: 'SCHEMA_CONFLICT',
      issue: {
        path: '',
        keyword: 'version',
        message:
          last === 0
            ? `the first version of a resource is 1, not ${version}`
            : `versions must be consecutive: ${version} where ${last + 1} comes after ${last}`,
        params: { expected: last + 1 },
      },
    })
  const document = documentIssues(candidate.schema, limits)
  for (const issue of document) found.push({ code: 'SCHEMA_INVALID', issue })
  if (!isJsonObject(candidate.schema)) return refusal(found, subject)
  const schema = candidate.schema
  const uri = schemaUri(name, version)
  const id = schema.$id
  if (candidate.origin === 'file' ? id !== uri : id !== undefined && id !== uri)
    found.push({
      code: 'SCHEMA_CONFLICT',
      issue: {
        path: '/$id',
        keyword: '$id',
        message:
          candidate.origin === 'file'
            ? `$id must be '${uri}', found ${JSON.stringify(id) ?? 'none'}`
            : `$id must be absent or '${uri}': the registry assigns it`,
        params: { allowedValue: uri },
      },
    })
  const annotations = annotationIssues(schema, state)
  found.push(...annotations.found)
  if (document.length === 0)
    for (const issue of changeKeywordIssues(schema)) found.push({ code: 'SCHEMA_INVALID', issue })
  const mode = modeIssues(schema, state)
  found.push(...mode.found)
  let differences: AdmissionDifference[] = []
  if (document.length === 0) {
    const result = checkTransitive(
      state.history.map((h) => h.schema),
      schema,
      { mode: state.mode, policy: options.policy },
    )
    differences = result.differences.map(({ against, ...d }) => ({
      ...d,
      ...(against === undefined ? {} : { against: state.history[against - 1]?.version }),
    }))
    for (const d of differences)
      if (d.breaking) found.push({ code: 'INCOMPATIBLE_SCHEMA', issue: differenceIssue(d, version) })
  }
  if (found.length) {
    const r = { ...refusal(found, subject), ...(document.length === 0 ? { differences } : {}) }
    // The mode's meaning, said once for the whole report rather than on every line.
    if (differences.some((d) => d.breaking)) r.summary += ` (${state.mode}: ${MODE_MEANINGS[state.mode]})`
    const breaking = differences.filter((d) => d.breaking).length
    if (r.code !== 'INCOMPATIBLE_SCHEMA' || breaking !== found.length) return r
    return {
      ...r,
      summary: `not ${state.mode} compatible with '${name}': ${plural(breaking, 'breaking difference')}`,
    }
  }
  return {
    ok: true,
    value: {
      name,
      version,
      uri,
      schema,
      topic: annotations.topic as string,
      key: annotations.key as string,
      mode: mode.mode,
      differences,
    },
  }
}

/** The state once `admitted` has joined. */
export function advance(state: ResourceState, admitted: Admitted): ResourceState {
  return {
    ...state,
    established: state.established ?? { topic: admitted.topic, key: admitted.key },
    history: [...state.history, { version: admitted.version, schema: admitted.schema }],
    lastVersion: admitted.version,
    mode: admitted.mode,
    modeOpen: false,
  }
}

export interface SequenceResult {
  admitted: Admitted[]
  refused: { version: number; result: Refused }[]
  /** The state after the sequence; refused versions that are usable schemas stay in its history. */
  state: ResourceState
}

/**
 * Admits candidates one after another (ascending), each against the history before it: what a schema tree is.
 * A refused version still counts for the numbering and, when it is a usable schema, as history for the next.
 */
export function admitVersions(
  state: ResourceState,
  candidates: readonly Candidate[],
  options: AdmissionOptions = {},
): SequenceResult {
  const out: SequenceResult = { admitted: [], refused: [], state }
  for (const c of candidates) {
    const r = admitVersion(c, out.state, options)
    if (r.ok) {
      out.admitted.push(r.value)
      out.state = advance(out.state, r.value)
      continue
    }
    out.refused.push({ version: c.version, result: r })
    out.state = { ...out.state, lastVersion: c.version }
    if (r.code !== 'SCHEMA_INVALID' && isJsonObject(c.schema)) {
      const { 'x-topic': topic, 'x-key': key } = c.schema
      out.state = {
        ...out.state,
        history: [...out.state.history, { version: c.version, schema: c.schema }],
        established:
          out.state.established ??
          (typeof topic === 'string' && typeof key === 'string' ? { topic, key } : undefined),
      }
    }
  }
  return out
}
