import type { ClientLimit } from '../http/limits.ts'
import type { Metrics } from '../http/metrics.ts'
import type { SchemaService } from '../service.ts'
import type { SchemaStore } from '../store/store.ts'

/** What the registry's route handlers call. */
export interface RouteDeps {
  service: SchemaService
  store: Pick<SchemaStore, 'ping' | 'kind'>
  metrics: Metrics
  /** The nesting limit the service was created with, stated in the API description when given. */
  maxDepth?: number
  /** The public compatibility check's own body limit and per-client concurrency limit (absent: the app's, none). */
  compatibility?: { maxBodyBytes: number; limit: ClientLimit }
  /** What /openapi.json and /docs serve: set by the app once it has derived the document from this table. */
  documents: { openapi: string; docs: string }
}
