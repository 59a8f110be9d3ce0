/** The encoder writes an envelope it built with the version's serializer: the bytes JSON.stringify would write. */
import { describe, expect, it } from 'vitest'
import { buildEnvelope, createEncoder } from '../../core/index.ts'
import { catalog } from '../../generated/index.ts'

const content = {
  id: '0b6a1c8e-6f5d-4c1b-9d1e-2a3b4c5d6e7f',
  tenantId: '7d1b4a2c-9e8f-4a6b-8c5d-1e2f3a4b5c6d',
  ownerId: '3c9e1f2a-5b6d-4e7f-8a9b-0c1d2e3f4a5b',
  timePeriodTypeId: '00000000-0000-0000-0000-000000000001',
  actualStartTime: '2026-11-20T06:00:00Z',
  notes: 'say "hi"',
  timePeriods: [],
}
const URI = catalog.resources['time-entry'].versions[2].uri

describe('createEncoder', () => {
  it.each([
    ['a plain source', 'urn:svc:timecard', {}],
    ['a relative source with a query', '/timecard?team=a&x=%20', {}],
    [
      'a given id and time',
      'urn:svc:timecard',
      { id: '11111111-2222-4333-8444-555555555555', time: '2026-12-06T10:00:00.5+01:00' },
    ],
  ] as const)('%s: the value is JSON.stringify of the envelope', (_name, source, meta) => {
    const encoder = createEncoder(catalog, { source })
    for (const action of ['create', 'update', 'delete'] as const) {
      const r = encoder.encode({ resource: 'time-entry', action, body: content, asReference: false, meta })
      if (!r.ok) throw new Error(JSON.stringify(r.issues))
      const event = JSON.parse(r.value.value) as { id: string; time: string }
      const expected = buildEnvelope(action, URI, content, { source }, { id: event.id, time: event.time })
      expect(r.value.value).toBe(JSON.stringify(expected))
      if ('id' in meta) expect(event).toMatchObject(meta)
    }
  })

  it('the default clock writes the current time, the injected one its own', () => {
    const before = Date.now()
    const r = createEncoder(catalog, { source: 'urn:svc:a' }).encode({
      resource: 'time-entry',
      action: 'create',
      body: content,
      asReference: false,
      meta: {},
    })
    if (!r.ok) throw new Error('invalid')
    const t = Date.parse((JSON.parse(r.value.value) as { time: string }).time)
    expect(t).toBeGreaterThanOrEqual(before)
    expect(t).toBeLessThanOrEqual(Date.now())
    const fixed = createEncoder(catalog, {
      source: 'urn:svc:a',
      now: () => new Date(0),
      newId: () => '11111111-2222-4333-8444-555555555555',
    }).encode({ resource: 'time-entry', action: 'create', body: content, asReference: false, meta: {} })
    if (!fixed.ok) throw new Error('invalid')
    expect(JSON.parse(fixed.value.value)).toMatchObject({
      time: '1970-01-01T00:00:00.000Z',
      id: '11111111-2222-4333-8444-555555555555',
    })
  })

  // A catalog's envelope may allow any string as an id or time; only what the encoder made itself skips escaping.
  const lenient = Object.assign((_data: unknown): _data is never => true, { errors: null })
  const open = { ...catalog, envelope: { ...catalog.envelope, validate: lenient } }
  it.each([
    ['an injected id and clock', { newId: () => 'id "1"\n', now: () => new Date(0) }, {}],
    ['an id and time given per event', {}, { id: 'a\\b', time: 'noon "UTC"' }],
  ] as const)('%s are escaped like JSON.stringify does', (_name, options, meta) => {
    const r = createEncoder(open, { source: 'urn:svc:a', ...options }).encode({
      resource: 'time-entry',
      action: 'create',
      body: content,
      asReference: false,
      meta,
    })
    if (!r.ok) throw new Error(JSON.stringify(r.issues))
    const event = JSON.parse(r.value.value) as { id: string; time: string }
    expect(event.id).toBe('id' in meta ? meta.id : 'id "1"\n')
    expect(r.value.value).toBe(
      JSON.stringify(buildEnvelope('create', URI, content, { source: 'urn:svc:a' }, event)),
    )
  })
})
