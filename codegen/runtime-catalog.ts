/**
 * A catalog compiled at run time from a schema tree, for tools that take `--schemas DIR` (validate, publish,
 * consume): the same checks and the same ajv configuration as the generated one, without generated code. Its
 * types are the kernel's general ones; services use the generated catalog for typed APIs.
 */
import { createAjv, formats, type Catalog, type CatalogResource, type ValidateFn } from '../core/index.ts'
import { toContracts } from './generate.ts'
import type { SchemaTree } from './load.ts'

export function compileCatalog(tree: SchemaTree): Catalog {
  const contracts = toContracts(tree)
  const ajv = createAjv({ formats })
  const envelope = tree.envelope.schema
  const envelopeId = String(envelope.$id)
  ajv.addSchema(envelope)
  for (const c of contracts) ajv.addSchema(c.schema)
  const get = (ref: string): ValidateFn<never> => {
    const v = ajv.getSchema(ref)
    if (!v) throw new Error(`schema ${ref} did not compile`)
    return v as unknown as ValidateFn<never>
  }
  type Mutable = {
    latest: number
    topic: string
    key: string
    versions: Record<number, CatalogResource['versions'][number]>
  }
  const resources: Record<string, Mutable> = {}
  for (const c of contracts) {
    const entry = (resources[c.name] ??= { latest: c.version, topic: c.topic, key: c.key, versions: {} })
    entry.latest = c.version
    entry.versions[c.version] = { uri: c.uri, validate: get(c.uri) }
  }
  return {
    envelope: { uri: envelopeId, validate: get(envelopeId) },
    reference: get(`${envelopeId}#/$defs/ResourceReference`),
    resources,
  }
}
