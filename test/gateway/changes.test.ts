/** Change events: the schema-aware diff over a table of version pairs, what is published, and POST /change-events. */
import { describe, expect, it } from 'vitest'
import { changesOf, checkEvent, type Change } from '../../core/index.ts'
import { catalog, schemas } from '../../generated/index.ts'
import { createChangeEvents, createGateway, markdown } from '../../gateway/index.ts'
import { ADMIN, bearer, captureSink, datasetContent, DATA_TEAM, TIME_TEAM, tokens } from './helpers.ts'

type Dataset = Record<string, unknown> & { resources: Record<string, unknown>[]; notes: string }
const base = datasetContent() as Dataset
const RESOURCE = base.resources[0] as Record<string, unknown>
const RESOURCE_ID = RESOURCE.id as string
const OTHER = {
  id: '7c8d9e0f-1a2b-4c3d-8e4f-5a6b7c8d9e0f',
  name: 'facilities.xlsx',
  format: 'XLSX',
  url: 'https://data.example.org/afg/facilities.xlsx',
  description: 'The same data as a **spreadsheet**.',
}
const two = { ...base, resources: [RESOURCE, OTHER] }
const edit = (patch: Partial<Dataset>): Dataset => ({ ...base, ...patch }) as Dataset

/** Each change as `kind path` (and the item's id when it names one): what a consumer branches on. */
const brief = (changes: readonly Change[]) =>
  changes.map((c) => {
    const id = c.kind === 'item-added' || c.kind === 'item-removed' ? c.id : c.item?.id
    return `${c.kind} ${c.path}${id === undefined ? '' : ` @${String(id)}`}`
  })

const events = () =>
  createChangeEvents({ catalog, schemas, sink: captureSink().sink, source: 'urn:hdx:ckan' })

describe('two versions of a dataset → the change event (or none)', () => {
  it.each<{
    name: string
    old?: unknown
    new?: unknown
    action?: string
    reason?: string
    changes?: string[]
  }>([
    { name: 'no old version: created', new: base, action: 'create', changes: [] },
    { name: 'no new version: deleted', old: base, action: 'delete', changes: [] },
    { name: 'marked deleted (x-deleted)', old: base, new: edit({ state: 'deleted' }), action: 'delete' },
    {
      name: 'deleted and still deleted: nothing',
      old: edit({ state: 'deleted' }),
      new: edit({ state: 'deleted', title: 'x' }),
      reason: 'already deleted',
    },
    {
      name: 'deleted, then back: created again',
      old: edit({ state: 'deleted' }),
      new: base,
      action: 'create',
    },
    { name: 'identical: nothing', old: base, new: structuredClone(base), reason: 'no changes' },
    {
      name: 'only metadata_modified moved (x-ignore-changes): nothing',
      old: base,
      new: edit({ metadata_modified: '2027-01-01T00:00:00Z' }),
      reason: 'no changes',
    },
    {
      name: 'notes: formatting-only Markdown edit (emphasis marks, wrapping): nothing',
      old: edit({
        notes: 'Health facilities in **Afghanistan**, from the ministry’s survey.\n\n- roads\n- rivers',
      }),
      new: edit({
        notes: 'Health facilities in __Afghanistan__,\nfrom the ministry’s survey.\n\n* roads\n* rivers\n',
      }),
      reason: 'no changes',
    },
    {
      name: 'notes: heading style and entities only: nothing',
      old: edit({ notes: '# Sources & methods\n\nSee `survey.pdf`.' }),
      new: edit({ notes: 'Sources &amp; methods\n===\n\nSee `survey.pdf`.  ' }),
      reason: 'no changes',
    },
    {
      name: 'notes: a word changed',
      old: base,
      new: edit({ notes: base.notes.replace('2026', '2027') }),
      action: 'update',
      changes: ['changed /notes'],
    },
    {
      name: 'notes: a link target changed',
      old: edit({ notes: 'See [the data](https://a.example/x).' }),
      new: edit({ notes: 'See [the data](https://a.example/y).' }),
      action: 'update',
      changes: ['changed /notes'],
    },
    {
      name: 'title and privacy changed',
      old: base,
      new: edit({ title: 'New title', private: true }),
      action: 'update',
      changes: ['changed /title', 'changed /private'],
    },
    {
      name: 'an optional field removed (old only)',
      old: base,
      new: (({ license_id: _l, ...rest }) => rest)(base),
      action: 'update',
      changes: ['changed /license_id'],
    },
    {
      name: 'an optional field added (new only)',
      old: (({ license_id: _l, ...rest }) => rest)(base),
      new: base,
      action: 'update',
      changes: ['changed /license_id'],
    },
    {
      name: 'tags: one added, one removed (arrays of scalars)',
      old: base,
      new: edit({ tags: ['health', 'hospitals'] }),
      action: 'update',
      changes: ['items /tags'],
    },
    {
      name: 'tags reordered: nothing',
      old: base,
      new: edit({ tags: ['facilities', 'health'] }),
      reason: 'no changes',
    },
    {
      name: 'a group renamed, matched by name (x-identity)',
      old: base,
      new: edit({ groups: [{ name: 'afg', title: 'Islamic Republic of Afghanistan' }] }),
      action: 'update',
      changes: ['changed /groups/0/title @afg'],
    },
    {
      name: 'the organisation changed',
      old: base,
      new: edit({ organization: { id: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', name: 'ocha' } }),
      action: 'update',
      changes: ['changed /organization/name', 'changed /organization/title'],
    },
    {
      name: 'a resource added',
      old: base,
      new: two,
      action: 'update',
      changes: [`item-added /resources/1 @${OTHER.id}`],
    },
    {
      name: 'a resource removed (its path in the old version)',
      old: two,
      new: edit({ resources: [OTHER] }),
      action: 'update',
      changes: [`item-removed /resources/0 @${RESOURCE_ID}`],
    },
    {
      name: 'resources reordered: matched by id, nothing',
      old: two,
      new: edit({ resources: [OTHER, RESOURCE] }),
      reason: 'no changes',
    },
    {
      name: 'resources reordered and one edited: the change at its new place, naming it',
      old: two,
      new: edit({ resources: [OTHER, { ...RESOURCE, url: 'https://data.example.org/afg/v2.csv' }] }),
      action: 'update',
      changes: [`changed /resources/1/url @${RESOURCE_ID}`],
    },
    {
      name: "a resource's data changed (last_modified)",
      old: base,
      new: edit({ resources: [{ ...RESOURCE, last_modified: '2026-12-01T00:00:00Z' }] }),
      action: 'update',
      changes: [`changed /resources/0/last_modified @${RESOURCE_ID}`],
    },
    {
      name: "a resource's description: formatting only, nothing",
      old: two,
      new: edit({ resources: [RESOURCE, { ...OTHER, description: 'The same data as a __spreadsheet__.' }] }),
      reason: 'no changes',
    },
  ])('$name', ({ old, new: next, action, reason, changes }) => {
    const r = events().derive({ resource: 'dataset', old, new: next })
    expect(r.ok).toBe(true)
    if (!r.ok) return
    if (action) {
      expect(r.value).toMatchObject({ publish: true, action })
      if (changes) expect(brief(r.value.changes)).toEqual(changes)
    } else expect(r.value).toMatchObject({ publish: false, reason, changes: [] })
  })

  it('reports the raw values of a normalised field, and old and new of every change', () => {
    const r = events().derive({ resource: 'dataset', old: base, new: edit({ title: 'T2' }) })
    expect(r.ok && r.value.changes).toEqual([{ kind: 'changed', path: '/title', old: base.title, new: 'T2' }])
    const tags = events().derive({ resource: 'dataset', old: base, new: edit({ tags: ['health', 'x'] }) })
    expect(tags.ok && tags.value.changes).toEqual([
      { kind: 'items', path: '/tags', added: ['x'], removed: ['facilities'] },
    ])
  })

  it.each<{ name: string; input: Record<string, unknown>; issues: string[] }>([
    {
      name: 'an invalid old version',
      input: { old: { ...base, name: 'No Good' }, new: base },
      issues: ['/old/name pattern'],
    },
    {
      name: 'an invalid new version',
      input: { old: base, new: { ...base, resources: [{ ...RESOURCE, url: 'x' }] } },
      issues: ['/new/resources/0/url format'],
    },
    { name: 'neither version', input: {}, issues: [' required'] },
    {
      name: 'an unknown resource',
      input: { resource: 'nope', new: base },
      issues: ['/resource known-resource'],
    },
    { name: 'an unknown version', input: { version: 9, new: base }, issues: ['/version known-schema'] },
  ])('refuses $name, naming the field', ({ input, issues }) => {
    const r = events().derive({ resource: 'dataset', ...input })
    expect(r.ok ? [] : r.issues.map((i) => `${i.path} ${i.keyword}`.trim())).toEqual(
      issues.map((i) => i.trim()),
    )
  })
})

/**
 * HDX's event types, told from what we publish: a consumer of our dataset events that needs HDX's categories derives
 * them from the action and the changes alone.
 */
function hdxTypes(event: Record<string, unknown>): string[] {
  const action = event.action
  const content = (event.resource as { content: Dataset }).content
  if (action === 'create') return ['dataset-created', ...content.resources.map(() => 'resource-created')]
  if (action === 'delete') return ['dataset-deleted']
  const changes = changesOf(event)
  if (!changes.ok) throw new Error('invalid changes')
  const types = new Set<string>()
  for (const c of changes.value) {
    if (c.kind === 'item-added' && c.path.startsWith('/resources/')) types.add('resource-created')
    else if (c.kind === 'item-removed' && c.path.startsWith('/resources/')) types.add('resource-deleted')
    else if (c.item?.path.startsWith('/resources/'))
      types.add(
        c.path.slice(c.item.path.length) === '/last_modified'
          ? 'resource-data-changed'
          : 'resource-metadata-changed',
      )
    else types.add('dataset-metadata-changed')
  }
  return [...types].sort()
}

describe('every HDX event type can be told from what we publish', () => {
  it.each<{ hdx: string[]; old?: unknown; new?: unknown }>([
    { hdx: ['dataset-created', 'resource-created'], new: base },
    { hdx: ['dataset-metadata-changed'], old: base, new: edit({ title: 'Renamed' }) },
    { hdx: ['dataset-deleted'], old: base, new: edit({ state: 'deleted' }) },
    { hdx: ['dataset-deleted'], old: base },
    { hdx: ['resource-created'], old: base, new: two },
    { hdx: ['resource-deleted'], old: two, new: base },
    {
      hdx: ['resource-metadata-changed'],
      old: base,
      new: edit({ resources: [{ ...RESOURCE, name: 'facilities-2026.csv', format: 'TSV' }] }),
    },
    {
      hdx: ['resource-data-changed'],
      old: base,
      new: edit({ resources: [{ ...RESOURCE, last_modified: '2026-12-01T00:00:00Z' }] }),
    },
    {
      hdx: ['dataset-metadata-changed', 'resource-data-changed', 'resource-deleted'],
      old: two,
      new: edit({ title: 'Both', resources: [{ ...RESOURCE, last_modified: '2026-12-01T00:00:00Z' }] }),
    },
  ])('$hdx', async ({ hdx, old, new: next }) => {
    const capture = captureSink()
    const ce = createChangeEvents({ catalog, schemas, sink: capture.sink, source: 'urn:hdx:ckan' })
    const result = await ce.publish({ resource: 'dataset', old, new: next, actor: 'hdx-user' })
    expect(result.published).toBeDefined()
    expect(capture.sent).toHaveLength(1)
    const published = JSON.parse(capture.sent[0]!.value) as Record<string, unknown>
    expect(checkEvent(catalog, published).ok).toBe(true) // every event published validates
    expect(changesOf(published).ok).toBe(true)
    expect(published.actor).toBe('hdx-user')
    expect(capture.sent[0]?.key).toBe(base.id)
    expect(hdxTypes(published)).toEqual([...hdx].sort())
  })
})

describe('POST /change-events', () => {
  const app = (sink = captureSink()) => ({
    sink,
    app: createGateway({ catalog, schemas, sink: sink.sink, tokens }),
  })
  const post = (a: ReturnType<typeof app>['app'], body: unknown, token = ADMIN) =>
    a.request('/change-events', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(token) },
      body: JSON.stringify(body),
    })

  it('202 with the event it published and the changes', async () => {
    const a = app()
    const res = await post(
      a.app,
      { resource: 'dataset', actor: 'u1', old: base, new: edit({ title: 'T' }) },
      DATA_TEAM,
    )
    expect(res.status).toBe(202)
    const body = (await res.json()) as Record<string, unknown>
    expect(body).toMatchObject({
      published: true,
      action: 'update',
      destination: 'hdx-datasets',
      changes: [{ kind: 'changed', path: '/title', old: base.title, new: 'T' }],
    })
    expect(a.sink.sent.map((m) => m.id)).toEqual([body.id])
  })

  it('200 saying why when there is nothing to publish', async () => {
    const a = app()
    const res = await post(a.app, {
      resource: 'dataset',
      old: base,
      new: edit({ metadata_modified: '2030-01-01T00:00:00Z' }),
    })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ published: false, reason: 'no changes', changes: [] })
    expect(a.sink.sent).toHaveLength(0)
  })

  it.each<{ name: string; body: unknown; token?: string; status: number; code: string; path: string }>([
    {
      name: 'an invalid version',
      body: { resource: 'dataset', new: { ...base, state: 'gone' } },
      status: 422,
      code: 'EVENT_INVALID',
      path: '/new/state',
    },
    {
      name: 'a body of the wrong shape',
      body: { resource: 'dataset', old: 'x' },
      status: 400,
      code: 'BAD_REQUEST',
      path: '/old',
    },
    {
      name: 'an unknown field',
      body: { resource: 'dataset', username: 'u' },
      status: 400,
      code: 'BAD_REQUEST',
      path: '/username',
    },
    {
      name: 'a token of another resource',
      body: { resource: 'dataset', new: base },
      token: TIME_TEAM,
      status: 403,
      code: 'FORBIDDEN',
      path: '/resource',
    },
  ])('$name: $status $code at $path', async ({ body, token, status, code, path }) => {
    const a = app()
    const res = await post(a.app, body, token)
    expect(res.status).toBe(status)
    const p = (await res.json()) as { code: string; issues: { path: string }[] }
    expect(p.code).toBe(code)
    expect(p.issues[0]?.path).toBe(path)
    expect(a.sink.sent).toHaveLength(0)
  })

  it('the transport down: 503, retriable', async () => {
    const a = app()
    a.sink.fail()
    const res = await post(a.app, { resource: 'dataset', new: base })
    expect(res.status).toBe(503)
  })

  it('off without schemas: 404', async () => {
    const gateway = createGateway({ catalog, sink: captureSink().sink, tokens })
    expect((await post(gateway, { resource: 'dataset', new: base })).status).toBe(404)
  })
})

describe('the markdown normaliser', () => {
  it.each<[string, string, boolean]>([
    ['*a* and **b**', '_a_ and __b__', true],
    ['1. one\n2. two', '1) one\n2) two', true],
    ['line one\nline two', 'line one line two', true],
    ['para one\n\npara two', 'para one para two', false],
    ['`code`', 'code', true],
    ['[x](https://a)', '[x](https://b)', false],
    ['a | b\n--|--\n1 | 2', '| a | b |\n|---|---|\n| 1 | 2 |', true],
  ])('%j ≡ %j: %s', (a, b, same) => {
    expect(markdown(a) === markdown(b)).toBe(same)
  })
})
