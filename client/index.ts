/** HTTP clients of our own services, on plain `fetch`: what services and consumers use to reach a registry. */
export { createRegistryClient } from './registry-client.ts'
export type {
  RegistryClient,
  RegistryClientOptions,
  ResourceSummary,
  SchemaSource,
} from './registry-client.ts'
