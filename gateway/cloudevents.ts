/**
 * CloudEvents over HTTP, read with the `cloudevents` SDK: the request's mode (binary, structured, batch), then each
 * event, with every problem as an issue at a JSON Pointer into the event in its structured form (`/id`, `/data/…`;
 * `/3/type` for the fourth event of a batch). Only CloudEvents 1.0 with JSON data is taken.
 *
 * The SDK is lenient where a contract may not be: it invents an `id` and a `time` for events that lack them, turns a
 * `time` it cannot parse into now, and rewrites every `time` in UTC. The required attributes and `time` are therefore
 * checked here first, then the SDK builds the event and validates it against the spec, and the producer's `time` is
 * kept as it was sent.
 */
import { CloudEvent, HTTP, ValidationError } from 'cloudevents'
import { ContractError, formats, type Checked, type Issue } from '../core/index.ts'

export type Mode = 'binary' | 'structured' | 'batch'

/** A CloudEvent as the SDK built it, JSON data only. */
export type IncomingEvent = CloudEvent<unknown>

const CE_JSON = 'application/cloudevents+json'
const CE_BATCH = 'application/cloudevents-batch+json'

/** `application/json; charset=utf-8` → its media type, lower case, and its charset if any. */
export function mediaType(contentType: string | undefined): { type: string; charset: string | undefined } {
  const [type = '', ...params] = (contentType ?? '').split(';')
  let charset: string | undefined
  for (const p of params) {
    const [k, v] = p.split('=')
    if (k?.trim().toLowerCase() === 'charset') charset = v?.trim().replace(/^"|"$/g, '').toLowerCase()
  }
  return { type: type.trim().toLowerCase(), charset }
}

/** JSON, or a structured syntax suffix of it (`application/vnd.x+json`). */
export const isJsonType = (type: string): boolean =>
  type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'))

const unsupported = (message: string) =>
  new ContractError('UNSUPPORTED_MEDIA_TYPE', message, [
    { path: '/Content-Type', keyword: 'media-type', message },
  ])

/**
 * The request's mode from its headers (lower-case names): the two CloudEvents media types, else binary mode when
 * `ce-specversion` or `ce-id` is there with a JSON body. Anything else is 415.
 */
export function modeOf(headers: Readonly<Record<string, string>>): Mode {
  const { type, charset } = mediaType(headers['content-type'])
  if (charset !== undefined && charset !== 'utf-8')
    throw unsupported(`charset '${charset}' is not supported: send UTF-8`)
  if (type === CE_BATCH) return 'batch'
  if (type === CE_JSON) return 'structured'
  if (headers['ce-specversion'] === undefined && headers['ce-id'] === undefined)
    throw unsupported(
      `'${type || '(none)'}' is not a CloudEvent: send ${CE_JSON}, ${CE_BATCH}, or binary mode (ce-* headers with a JSON body)`,
    )
  if (!isJsonType(type))
    throw unsupported(`binary-mode data must be JSON (application/json or *+json), not '${type || '(none)'}'`)
  return 'binary'
}

const REQUIRED = ['specversion', 'id', 'source', 'type'] as const
const isDateTime = formats['date-time'] as (s: string) => boolean

/** The attributes a structured event (or binary headers, by attribute name) must carry before the SDK sees it. */
function attributeIssues(attributes: Readonly<Record<string, unknown>>, at: string): Issue[] {
  const issues: Issue[] = []
  for (const name of REQUIRED) {
    const v = attributes[name]
    if (typeof v !== 'string' || v === '')
      issues.push({
        path: `${at}/${name}`,
        keyword: v === undefined ? 'required' : 'type',
        message:
          v === undefined
            ? `must have required attribute '${name}'`
            : `attribute '${name}' must be a non-empty string`,
        params: { attribute: name },
      })
  }
  if (attributes.specversion !== undefined && attributes.specversion !== '1.0')
    issues.push({
      path: `${at}/specversion`,
      keyword: 'const',
      message: "must be '1.0': only CloudEvents 1.0 is taken",
      params: { allowedValue: '1.0' },
    })
  const time = attributes.time
  if (time !== undefined && (typeof time !== 'string' || !isDateTime(time)))
    issues.push({
      path: `${at}/time`,
      keyword: 'format',
      message: 'must be an RFC 3339 date-time',
      params: { format: 'date-time' },
    })
  if ('data_base64' in attributes)
    issues.push({
      path: `${at}/data_base64`,
      keyword: 'json',
      message: 'binary data is not taken: send the data as JSON in `data`',
    })
  const dct = attributes.datacontenttype
  if (dct !== undefined && (typeof dct !== 'string' || !isJsonType(mediaType(dct).type)))
    issues.push({
      path: `${at}/datacontenttype`,
      keyword: 'media-type',
      message: 'the data must be JSON (application/json or *+json)',
    })
  return issues
}

/** The SDK's spec validation of a built event, as issues under `at`. */
function specIssues(event: IncomingEvent, at: string): Issue[] {
  try {
    event.validate()
    return []
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e
    const errors = e.errors ?? []
    if (errors.length === 0) return [{ path: at, keyword: 'cloudevents', message: e.message }]
    return errors.map((err) =>
      typeof err === 'string'
        ? { path: at, keyword: 'cloudevents', message: err }
        : {
            path: `${at}${err.instancePath}`,
            keyword: err.keyword,
            message: err.message ?? err.keyword,
            params: err.params,
          },
    )
  }
}

/** One structured event (already parsed JSON) → the SDK's event, or the issues under `at`. */
function structuredEvent(value: unknown, at: string): Checked<IncomingEvent> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return {
      ok: false,
      issues: [{ path: at, keyword: 'type', message: 'a structured CloudEvent is a JSON object' }],
    }
  const attributes = value as Record<string, unknown>
  const first = attributeIssues(attributes, at)
  if (first.length) return { ok: false, issues: first }
  // The SDK's own model: attributes and extensions split, then its spec validation. Its HTTP binding would only
  // parse what is parsed already, rewrite `time`, and build three Errors per event it does not throw.
  const event = new CloudEvent<unknown>(attributes, false)
  const spec = specIssues(event, at)
  return spec.length ? { ok: false, issues: spec } : { ok: true, value: event }
}

/** The SDK rewrites `time` in UTC; the producer's own offset is part of its event (`09:30+01:00`): keep it. */
const keepTime = (event: IncomingEvent, time: unknown): IncomingEvent =>
  typeof time === 'string' && event.time !== time
    ? (event.cloneWith({ time }, false) as IncomingEvent)
    : event

/** The attributes binary mode carries in `ce-` headers, by attribute name (for the checks above). */
function headerAttributes(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(headers)) if (k.startsWith('ce-')) out[k.slice(3)] = v
  const type = headers['content-type']
  if (type !== undefined) out.datacontenttype = type
  return out
}

export interface ReadLimits {
  /** Events per batch (413 beyond). */
  readonly maxBatchEvents: number
}

/**
 * The events of a request, in order: one for binary and structured mode, the elements of a batch. Throws a
 * ContractError: BAD_REQUEST (400) with every issue of every event when any is not a valid CloudEvent (a batch is
 * all or nothing), PAYLOAD_TOO_LARGE (413) for a batch over the limit.
 */
export function readEvents(
  mode: Mode,
  headers: Readonly<Record<string, string>>,
  body: unknown,
  limits: ReadLimits,
): IncomingEvent[] {
  if (mode === 'structured') return one(structuredEvent(body, ''))
  if (mode === 'binary') {
    const attributes = headerAttributes(headers)
    const first = attributeIssues(attributes, '')
    if (first.length) throw notCloudEvents(first)
    // The SDK parses the body by its content type: hand it the parsed JSON under the plain JSON type.
    const event = HTTP.toEvent({
      headers: { ...headers, 'content-type': 'application/json' },
      body: body as never,
    }) as IncomingEvent
    const spec = specIssues(event, '')
    return one(
      spec.length ? { ok: false, issues: spec } : { ok: true, value: keepTime(event, attributes.time) },
    )
  }
  if (!Array.isArray(body))
    throw notCloudEvents([
      { path: '', keyword: 'type', message: 'a batch is a JSON array of structured CloudEvents' },
    ])
  if (body.length > limits.maxBatchEvents)
    throw new ContractError(
      'PAYLOAD_TOO_LARGE',
      `a batch holds at most ${limits.maxBatchEvents} events, this one ${body.length}`,
      [
        {
          path: '',
          keyword: 'maxItems',
          message: `must have at most ${limits.maxBatchEvents} events`,
          params: { limit: limits.maxBatchEvents },
        },
      ],
    )
  const events: IncomingEvent[] = []
  const issues: Issue[] = []
  body.forEach((value, i) => {
    const r = structuredEvent(value, `/${i}`)
    if (r.ok) events.push(r.value)
    else issues.push(...r.issues)
  })
  if (issues.length) throw notCloudEvents(issues)
  return events
}

function one(r: Checked<IncomingEvent>): IncomingEvent[] {
  if (!r.ok) throw notCloudEvents(r.issues)
  return [r.value]
}

const notCloudEvents = (issues: readonly Issue[]) =>
  new ContractError('BAD_REQUEST', 'not a valid CloudEvent (1.0, JSON data)', issues)
