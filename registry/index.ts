/** The registry service: storage, the hono app, and the server around them. */
export { createRegistry, listen } from './registry.ts'
export type { Registry, Listening } from './registry.ts'
export { resolveConfig, DEFAULTS } from './config.ts'
export type { RegistryOptions, ResolvedConfig, SeedSchema } from './config.ts'
export { createApp, mountRoutes } from './app.ts'
export type { AppOptions } from './app.ts'
export { registryRoutes, API_INFO, COMPONENTS } from './routes/index.ts'
export type { RouteDeps } from './routes/index.ts'
export { route, param, openApiPath } from './http/route.ts'
export type {
  Route,
  RouteDecl,
  ParamDecl,
  BodyDecl,
  ResponseDecl,
  JsonSchema,
  FromSchema,
} from './http/route.ts'
export { createSchemaService, SeedRefused } from './service.ts'
export { createWorkPool, inlineWork } from './work/pool.ts'
export type { Work, WorkOptions } from './work/pool.ts'
export type { SchemaService, Registration, CompatReport, SeedReport } from './service.ts'
export { createSqlStore, CHANNEL } from './store/store.ts'
export type { SchemaStore, StoredSubject, StoredVersion } from './store/store.ts'
export { openPglite, IN_MEMORY } from '../storage/pglite.ts'
export { openPostgres } from '../storage/postgres.ts'
export { MIGRATIONS, migrate } from './store/migrations.ts'
export { STATUS, toProblem } from '../http/problem.ts'
export { resolveTokens } from '../http/tokens.ts'
export type { TokenEntry, Tokens } from '../http/tokens.ts'
export type { Principal } from '../http/auth.ts'
export type { Problem, ProblemCode } from '../http/problem.ts'
export { openApiDocument } from './http/openapi.ts'
export type { OpenApiDocument, DocumentOptions } from './http/openapi.ts'
