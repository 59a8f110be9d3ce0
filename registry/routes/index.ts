import type { Route } from '../http/route.ts'
import { auditRoutes } from './audit.ts'
import { compatibilityRoutes } from './compatibility.ts'
import type { RouteDeps } from './deps.ts'
import { operationRoutes } from './operations.ts'
import { schemaRoutes } from './schemas.ts'

export type { RouteDeps } from './deps.ts'
export { COMPONENTS } from './shapes.ts'

/** Every route of the registry, each declared once: the app mounts this table and /openapi.json describes it. */
export const registryRoutes = (deps: RouteDeps): Route[] => [
  ...operationRoutes(deps),
  ...schemaRoutes(deps),
  ...compatibilityRoutes(deps),
  ...auditRoutes(deps),
]

export const API_INFO = {
  title: 'event-contracts registry',
  version: '1',
  description:
    'Serves the JSON Schemas of event contracts by name and version or by `$id`, and registers new versions only when they are compatible with their predecessors. Reads are public; writes need a token (Bearer, or the password of HTTP Basic): registering a version one whose `resources` match the resource, deletes, mode changes and the audit trail an admin token. Every parameter is validated as declared here: a bad one is 400 `BAD_REQUEST` with an issue naming it.',
}
