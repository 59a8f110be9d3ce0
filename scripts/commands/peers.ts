/**
 * The optional peer dependencies (package.json `peerDependencies`, all optional) by the feature that needs them.
 * A command imports a feature's modules through `withPeers`, inside its run, so that commands which do not need a
 * feature run without its packages installed, and one that does names the packages to install.
 */
import { ContractError } from '../../core/index.ts'

export const PEERS = {
  /** `contracts serve`, `event-contracts/registry` (json-schema-to-typescript for its `types.ts` route) */
  registry: [
    'hono',
    '@hono/node-server',
    '@electric-sql/pglite',
    'pg',
    'pino',
    'prom-client',
    'json-schema-to-typescript',
    'piscina',
  ],
  /** `contracts relay`, `event-contracts/outbox` (the relay's metrics; `openPostgres`) */
  outbox: ['pg', 'prom-client'],
  /** `contracts gateway`, `event-contracts/gateway` (pino for the command's log lines) */
  gateway: ['hono', '@hono/node-server', 'cloudevents', 'standardwebhooks', 'marked', 'pino'],
  /** `contracts forward`: the gateway's webhook forwarder alone */
  forward: ['standardwebhooks'],
  /** `contracts generate`, `contracts pull`: TypeScript types from the schemas */
  generator: ['json-schema-to-typescript'],
  /** `contracts publish|consume`, `event-contracts/kafka` */
  kafka: ['kafkajs'],
  /** `contracts publish|consume --transport redis`, `event-contracts/redis` */
  redis: ['redis'],
} as const satisfies Record<string, readonly string[]>

export type Feature = keyof typeof PEERS

/** How a module is imported: `import()` itself, or a stand-in in tests. */
export type Importer = (specifier: string) => Promise<unknown>

const notFound = (e: unknown) =>
  (e as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND' ||
  (e as { code?: unknown }).code === 'MODULE_NOT_FOUND'

/** The feature's packages that cannot be imported, in PEERS order. */
export async function missingPeers(feature: Feature, load: Importer): Promise<string[]> {
  const missing: string[] = []
  for (const name of PEERS[feature]) {
    try {
      await load(name)
    } catch (e) {
      if (notFound(e)) missing.push(name)
      else throw e
    }
  }
  return missing
}

/**
 * `load()`, or a MISSING_PACKAGE ContractError naming every package of the feature that is not installed
 * ("contracts serve needs hono @hono/node-server: npm install hono @hono/node-server").
 */
export async function withPeers<T>(
  feature: Feature,
  what: string,
  load: () => Promise<T>,
  importer: Importer = (s) => import(s),
): Promise<T> {
  const missing = await missingPeers(feature, importer)
  if (missing.length) {
    const list = missing.join(' ')
    throw new ContractError(
      'MISSING_PACKAGE',
      `${what} needs ${list}, which ${missing.length === 1 ? 'is' : 'are'} not installed: npm install ${list}`,
      missing.map((name) => ({ path: '', keyword: 'peer-dependency', message: `${name} is not installed` })),
    )
  }
  return load()
}
