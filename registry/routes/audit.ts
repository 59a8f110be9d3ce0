import { route, type Route } from '../http/route.ts'
import type { RouteDeps } from './deps.ts'
import { AuditPage, json } from './shapes.ts'

/** The largest page of GET /audit, and the one given without `limit`. */
export const AUDIT_MAX_LIMIT = 500
export const AUDIT_DEFAULT_LIMIT = 100

export function auditRoutes({ service }: RouteDeps): Route[] {
  return [
    route({
      method: 'GET',
      path: '/audit',
      operationId: 'audit',
      tags: ['operations'],
      summary: 'Who registered, deleted or configured what, and when: newest first, paged',
      description: `Every registration (a no-op re-registration of identical content too), soft and permanent deletion and mode change, with the token's name, and each refused attempt of an authorised caller (outcome \`refused\`, detail: the code and the message). What start-up registers from schemas/ is recorded as principal \`seed\`. \`next\` is the URL of the following page (older entries), null on the last one.`,
      auth: 'admin',
      params: {
        limit: {
          in: 'query',
          description: `entries per page, at most ${AUDIT_MAX_LIMIT} (default ${AUDIT_DEFAULT_LIMIT})`,
          schema: { type: 'integer', minimum: 1, maximum: AUDIT_MAX_LIMIT },
        },
        before: {
          in: 'query',
          description: 'only entries older than this id (the cursor `next` carries)',
          schema: { type: 'integer', minimum: 1, maximum: 2_147_483_647 },
        },
      },
      responses: {
        '200': {
          description: 'one page, newest first',
          content: json(AuditPage, {
            entries: [
              {
                id: 42,
                at: '2025-01-31T09:12:03.417Z',
                principal: 'time-team',
                action: 'register',
                resource: 'time-entry',
                version: 3,
                outcome: 'created',
                detail: null,
              },
            ],
            next: '/audit?limit=1&before=42',
          }),
        },
      },
      handler: async (c, { limit = AUDIT_DEFAULT_LIMIT, before }) => {
        // One more than asked: whether there is a next page, without counting.
        const rows = await service.audit({ limit: limit + 1, before })
        const entries = rows.slice(0, limit)
        const last = entries.at(-1)
        return c.json({
          entries,
          next: rows.length > limit && last ? `/audit?limit=${limit}&before=${last.id}` : null,
        })
      },
    }),
  ]
}
