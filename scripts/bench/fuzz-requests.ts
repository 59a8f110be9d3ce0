/**
 * Fuzzed HTTP requests for the registry (fast-check arbitraries), shared by the fuzz test
 * (test/registry/fuzz.test.ts, through app.request) and the soak (soak.ts, over HTTP): methods, paths (mostly the
 * route table's with odd parameter values, sometimes anything), query strings, headers and bodies (schema-like
 * JSON with odd keys, topics and patterns; any JSON; text that is not JSON; deep nesting).
 */
import fc from 'fast-check'

export interface FuzzedRequest {
  method: string
  path: string
  query: string
  headers: Record<string, string>
  body: string | undefined
}

/** The arbitrary of one request; `base` is a schema to extend (time-entry v2), `token` a write token. */
export function fuzzedRequests({ token, base }: { token: string; base: Record<string, unknown> }) {
  /** Strings that have broken servers: NUL and other controls, percent signs, dots, slashes, far Unicode. */
  const odd = fc.oneof(
    fc.constantFrom(
      '\u0000',
      'a\u0000b',
      '%00',
      '%',
      '%zz',
      '..',
      '.',
      '/',
      '%2F',
      '\\',
      '\u202e',
      '😀',
      ' ',
      '',
    ),
    fc.string({ unit: 'binary', maxLength: 12 }),
    fc.string({ unit: 'grapheme', maxLength: 12 }),
  )
  const segment = fc.oneof(
    {
      weight: 6,
      arbitrary: fc.constantFrom('time-entry', 'person', 'accrual', 'latest', '1', '2', '3', 'fuzzed-thing'),
    },
    { weight: 2, arbitrary: fc.constantFrom('0', '-1', '01', '1.5', '999999999', '1000000000', 'LATEST') },
    { weight: 2, arbitrary: fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/) },
    { weight: 2, arbitrary: odd.map((s) => encodeURIComponent(s)) },
    { weight: 1, arbitrary: odd },
  )
  /** The route table's methods and paths (registry/routes/). */
  const ROUTES: [string, string][] = [
    ['GET', '/health'],
    ['GET', '/ready'],
    ['GET', '/metrics'],
    ['GET', '/openapi.json'],
    ['GET', '/docs'],
    ['GET', '/schemas'],
    ['GET', '/schemas/:name/versions'],
    ['POST', '/schemas/:name/versions'],
    ['GET', '/schemas/:name/versions/:version'],
    ['DELETE', '/schemas/:name/versions/:version'],
    ['GET', '/schemas/:name/versions/:version/types.ts'],
    ['GET', '/resolve'],
    ['POST', '/compatibility/:name'],
    ['GET', '/config'],
    ['PUT', '/config'],
    ['GET', '/config/:name'],
    ['PUT', '/config/:name'],
  ]
  const path = fc.array(segment, { maxLength: 5 }).map((parts) => `/${parts.join('/')}`)
  const query = fc.oneof(
    fc.constant(''),
    fc
      .record({
        uri: fc.oneof(
          fc.constantFrom('https://event-contracts.dev/schemas/person/1', 'x:y', ''),
          odd,
          fc.webUrl(),
        ),
        permanent: fc.oneof(fc.constantFrom('true', 'false', 'TRUE', '1'), odd),
      })
      .map(
        ({ uri, permanent }) => `?uri=${encodeURIComponent(uri)}&permanent=${encodeURIComponent(permanent)}`,
      ),
    odd.map((s) => `?${s}`),
  )
  const method = fc.oneof(
    fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'),
    // Any token a Request accepts (CONNECT, TRACE and TRACK it refuses itself).
    fc.stringMatching(/^[A-Z]{1,10}$/).filter((m) => !['CONNECT', 'TRACE', 'TRACK'].includes(m)),
  )
  const headers = fc.record(
    {
      'content-type': fc.constantFrom(
        'application/json',
        'text/plain',
        'application/json; charset=utf-8',
        'x/y',
      ),
      authorization: fc.oneof(
        { weight: 6, arbitrary: fc.constant(`Bearer ${token}`) },
        { weight: 1, arbitrary: fc.constantFrom('Bearer wrong', 'Basic x', 'Bearer') },
      ),
      'if-none-match': fc.oneof(fc.constant('*'), fc.stringMatching(/^[ -~]{0,40}$/)),
    },
    { requiredKeys: [] },
  )

  /** Schema-shaped bodies with odd parts: the admission rule, the compatibility engine and storage all see them. */
  const schemaLike = fc
    .record({
      // Names that end up in SQL as text (x-key): controls and NUL among them.
      key: fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom('id', 'ownerId', 'key') },
        fc.constantFrom('a\u0000b', '\u0000', 'a\nb', 'tab\there', '\u007f', '\ud800'),
        odd,
      ),
      topic: fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom('topic-a', 'callisto-timecard-timeentries') },
        odd,
      ),
      prop: fc.oneof({ weight: 3, arbitrary: fc.stringMatching(/^[a-z]{1,8}$/) }, odd),
      pattern: fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom('^x-[a-z]+$', '^[A-Z0-9-]{1,32}$', '^\\p{L}+$') },
        fc.constantFrom('^(a+)+$', '(?=a)', '\\1', '[', 'a{2000}', '^(a|a)*$'),
        odd,
      ),
      type: fc.oneof(
        { weight: 4, arbitrary: fc.constant('string') },
        fc.constantFrom('integer', 'object', 'array', 'nonsense'),
      ),
      value: fc.jsonValue({ maxDepth: 3 }),
      extend: fc.boolean(),
      patterned: fc.boolean(),
    })
    .map(({ key, topic, prop, pattern, type, value, extend, patterned }) => {
      const properties: Record<string, unknown> = extend ? { ...(base.properties as object) } : {}
      properties[key] = { type: 'string' }
      properties[prop] = { type, pattern, default: value }
      return {
        ...(extend ? base : {}),
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        'x-topic': topic,
        'x-key': key,
        type: 'object',
        required: [key],
        properties,
        ...(patterned ? { patternProperties: { [pattern]: { examples: [value] } } } : {}),
      }
    })
  const body = fc.oneof(
    fc.constant(undefined),
    { weight: 4, arbitrary: schemaLike.map((s) => JSON.stringify(s)) },
    fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
    fc.constantFrom(
      '{"compatibility":"FULL"}',
      '{"compatibility":"NONE"}',
      '{"compatibility":1}',
      '[]',
      'null',
    ),
    fc.string({ unit: 'binary', maxLength: 64 }),
    fc.nat({ max: 200 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
  )
  /** Mostly a route of the table with odd parameters; sometimes any method on any path. */
  const target = fc.oneof(
    {
      weight: 5,
      arbitrary: fc
        .tuple(fc.constantFrom(...ROUTES), segment, segment)
        .map(([[m, t], a, b]) => ({ method: m, path: t.replace(':name', a).replace(':version', b) })),
    },
    { weight: 1, arbitrary: fc.record({ method, path }) },
  )
  const anything: fc.Arbitrary<FuzzedRequest> = fc
    .record({ target, query, headers, body })
    .map(({ target, ...rest }) => ({ ...target, ...rest }))
  // Well-formed writes and checks of odd schemas, so that many reach the admission rule, the compatibility engine
  // and storage (where a NUL once got through), not only the edge.
  const schemaRequest: fc.Arbitrary<FuzzedRequest> = fc
    .record({
      route: fc.constantFrom('/schemas/:name/versions', '/compatibility/:name'),
      name: fc.oneof(
        fc.constantFrom('time-entry', 'person'),
        fc.stringMatching(/^[a-z][a-z0-9]{0,6}(-[a-z0-9]{1,4})?$/),
      ),
      schema: schemaLike,
    })
    .map(({ route, name, schema }) => ({
      method: 'POST',
      path: route.replace(':name', name),
      query: '',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(schema),
    }))
  return fc.oneof({ weight: 3, arbitrary: anything }, { weight: 1, arbitrary: schemaRequest })
}
