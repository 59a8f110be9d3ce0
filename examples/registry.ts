/**
 * docs/registry.md "Routes, declared once" and "The client". Typechecked by tsc (tsconfig.json includes examples/);
 * test/docs/examples.test.ts checks that the doc's blocks are in this file and does not run it: the client needs a
 * registry at registry:8080. By hand: `npm start` in one shell, then change the base URL and `npx tsx
 * examples/registry.ts`.
 */
import { param, route } from 'event-contracts/registry'

const name = param({
  in: 'path',
  description: 'a resource',
  schema: { type: 'string', pattern: '^[a-z][a-z0-9-]*$' },
})
const notes = new Map<string, string>() // this example's own store

export const putNote = route({
  method: 'PUT',
  path: '/notes/:name', // hono syntax; OpenAPI gets {name}; the metrics route label
  operationId: 'putNote',
  tags: ['notes'],
  summary: 'Keep a note about a resource',
  auth: { write: 'name' }, // or 'public', or 'admin': `write` names the path parameter written
  // JSON Schema, validated at the edge and emitted verbatim in /openapi.json
  params: {
    name, // declared once with param(), shared by several routes
    draft: { in: 'query', description: '`true`: not shown yet', schema: { type: 'boolean' } },
  },
  body: {
    description: 'the note',
    schema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
    validate: 'edge', // or 'handler': the handler judges the JSON (receives unknown)
  },
  responses: { '200': { description: 'kept' }, '404': { description: 'no such resource' } },
  // Typed from the declaration: draft is boolean | undefined, body.text a string, principal the token's.
  handler: async (c, { name, draft }, body, principal) => {
    notes.set(name, body.text)
    return c.json({ name, draft: draft === true, by: principal.name })
  },
})

import { createRegistryClient } from 'event-contracts/client'

const registry = createRegistryClient({ baseUrl: 'http://registry:8080' }) // fetch, timeoutMs = 2000, retries = 3, cacheSize = 256, backoffMs = 100
await registry.getByUri('https://event-contracts.dev/schemas/time-entry/2') // the schema, or undefined when the registry answers 404
await registry.get('time-entry', 'latest') // or a version number
