/**
 * The kernel: catalog types, the envelope, check/parse, the outbound encoder and publisher, the inbound pipeline,
 * errors. It knows no catalog and no transport, and does no I/O of its own: transports and the registry client
 * plug in through the ports (ports.ts).
 */
export {
  ContractError,
  isContractError,
  formatIssues,
  EVENT_ERROR_CODES,
  EVENT_RULE_KEYWORDS,
  GATEWAY_ERROR_CODES,
  OUTBOX_ERROR_CODES,
  REGISTRY_ERROR_CODES,
  SCHEMA_ERROR_CODES,
  SCHEMA_RULE_KEYWORDS,
  TOOLING_ERROR_CODES,
} from './errors.ts'
export type {
  ContractErrorCode,
  ContractErrorOptions,
  EventErrorCode,
  EventIssueKeyword,
  GatewayErrorCode,
  Issue,
  OutboxErrorCode,
  RegistryErrorCode,
  SchemaErrorCode,
  ToolingErrorCode,
} from './errors.ts'
export { check, parse, toIssue } from './validate.ts'
export type { Checked, SchemaRuleKeyword, ValidateFn } from './validate.ts'
export { ACTIONS, indexCatalog } from './catalog.ts'
export type {
  Action,
  AnyEvent,
  AnyEventOf,
  BaseEnvelope,
  Catalog,
  CatalogEvent,
  CatalogIndex,
  CatalogResource,
  CatalogVersion,
  ContentOf,
  EnvelopeOf,
  EventOf,
  ForeignEvent,
  IndexedVersion,
  KeyOf,
  LatestOf,
  ResourceOf,
  ResourceReference,
  UriOf,
  ValidEvent,
  VersionOf,
} from './catalog.ts'
export { checkEvent, parseEvent, parseJson, buildEnvelope, isReference, unknownSchema } from './envelope.ts'
export type { ResolveValidator, EnvelopeOptions } from './envelope.ts'
export { compileSchema } from './compile.ts'
export { createAjv, CUSTOM_KEYWORDS, KEYWORD_TYPES, NORMALIZERS, recyclingAjv } from './ajv.ts'
export type { NormalizerName } from './ajv.ts'
export { formats } from './formats.ts'
export { compilePattern, patternRegExp, translatePattern } from './patterns.ts'
export type { PatternMatcher, PatternTranslation } from './patterns.ts'
export { SCHEMA_BASE, RESOURCE_NAME, schemaUri, parseSchemaUri, eventSchemaUri } from './uri.ts'
export {
  checkTopicPrefix,
  deadLetterTopic,
  DLQ_SUFFIX,
  prefixed,
  TOPIC_PREFIX_SEPARATOR,
  topicOf,
} from './topics.ts'
export {
  canonicalJson,
  draftOf,
  escapePointerToken,
  fromPointer,
  toPointer,
  unescapePointerToken,
  DRAFT_URIS,
} from './json.ts'
export type { Draft } from './json.ts'
export { CE_ATTRIBUTES, cloudEventAttributes, eventType, isEventType, parseEventType } from './cloudevents.ts'
export type { CloudEventAttribute, CloudEventAttributes } from './cloudevents.ts'
export type {
  BatchPositionOf,
  InboundMessage,
  EncodedMessage,
  OutboundMessage,
  PositionOf,
  SchemaIdPort,
  SchemaLookupPort,
  SchemaVersionRef,
  Sink,
} from './ports.ts'
export { createEncoder, encodeBatch, encodeError, encodeOrThrow } from './encode.ts'
export type { BatchInput, EncodeInput, EncodeMeta, Encoder, EncoderOptions } from './encode.ts'
export { createPublisher, resolvePublishRetry, sendFailed } from './publisher.ts'
export type {
  BatchEvent,
  BatchPublished,
  Published,
  Publisher,
  PublisherOptions,
  PublishOptions,
  PublishRetry,
  PublisherBaseOptions,
  WireFormatOptions,
  ReferenceKey,
  ReferenceOptions,
} from './publisher.ts'
export { decode } from './decode.ts'
export type { Decoded, DecodedEvent, DecodeOptions } from './decode.ts'
export {
  allEvents,
  batchEvents,
  destinationsOf,
  handlerDispatcher,
  retryHandler,
  runHandler,
} from './dispatch.ts'
export type {
  BatchHandler,
  Dispatcher,
  EventHandler,
  Handler,
  HandlerOutcome,
  Handlers,
  MessageContext,
  RetryAdvice,
  RetryHooks,
} from './dispatch.ts'
export { createPipeline, PIPELINE_DEFAULTS, summary } from './pipeline.ts'
export type {
  Control,
  DeadLetter,
  DeadLetterPort,
  DeadLetterReason,
  Pipeline,
  PipelineOptions,
  RetryInfo,
} from './pipeline.ts'
export { settleOnce, topicDispatcher } from './consumer.ts'
export type {
  EventConsumer,
  HandleAllOptions,
  HandleBatchOptions,
  HandlersOptions,
  PipelineConsumerOptions,
  TopicHandling,
} from './consumer.ts'
export { CHANGES_SCHEMA, changesOf, checkChanges } from './changes.ts'
export type { Change, ChangeExtension, ItemRef } from './changes.ts'
export { acceptsVersion } from './accept.ts'
export type { Accept, AcceptedVersions } from './accept.ts'
export { createSchemaSource } from './schema-source.ts'
export type { Lookup, SchemaSource } from './schema-source.ts'
export { backoff, RETRY_DEFAULTS, sleep } from './retry.ts'
export { frameValue, MAX_SCHEMA_ID, readWire, unframe, WIRE_HEADER_BYTES, WIRE_MAGIC_BYTE } from './wire.ts'
export type { WireValue } from './wire.ts'
export { createSchemaIdCache, createSchemaIdSource } from './schema-ids.ts'
export type { IdLookup, SchemaIdCache, SchemaIdSource } from './schema-ids.ts'
export type { RetryOptions } from './retry.ts'
