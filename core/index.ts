export { ContractError, isContractError, formatIssues } from './errors.ts'
export type { ContractErrorCode, ContractErrorOptions, Issue } from './errors.ts'
export { check, parse, toIssue } from './validate.ts'
export type { Checked, ValidateFn } from './validate.ts'
export {
  checkEvent,
  parseEvent,
  parseJson,
  buildEnvelope,
  isReference,
  referenceValidator,
} from './envelope.ts'
export type { ValidEvent, ResolveValidator, EnvelopeOptions } from './envelope.ts'
export { ACTIONS } from './types.ts'
export type {
  Action,
  AnyEvent,
  AnyEventOf,
  ContentOf,
  Envelope,
  EventOf,
  LatestOf,
  ResourceName,
  ResourceReference,
  UriOf,
  VersionOf,
} from './types.ts'
export { compileSchema } from './compile.ts'
export { SCHEMA_BASE, RESOURCE_NAME, schemaUri, parseSchemaUri } from './uri.ts'
export { catalog, byUri, envelope, schemas } from '../generated/index.ts'
export type { Catalog } from '../generated/index.ts'
export { checkTopicPrefix, deadLetterTopic, DLQ_SUFFIX, TOPIC_PREFIX_SEPARATOR, topicOf } from './topics.ts'
