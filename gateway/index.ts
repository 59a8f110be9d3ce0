/**
 * The HTTP gateway: CloudEvents in (binary, structured, batch) onto the contracts and a transport; routes to
 * webhooks; the webhook forwarder for any transport's consumer; change events from two versions of a resource.
 */
export { createGateway, CHANGE_REQUEST_SCHEMA } from './app.ts'
export { resolveTokens } from '../http/tokens.ts'
export type { TokenEntry, Tokens } from '../http/tokens.ts'
export { resolveGatewayConfig, GATEWAY_DEFAULTS } from './config.ts'
export type { GatewayConfig, GatewayLogger, GatewayOptions } from './config.ts'
export { listenGateway, LISTEN_DEFAULTS } from './server.ts'
export type { ListenOptions, ListeningGateway } from './server.ts'
export {
  checkRoutes,
  createRouter,
  parseRoutes,
  PUBLISH_ALL,
  resolveRoutes,
  ROUTE_ACTIONS,
  ROUTES_SCHEMA,
} from './routes.ts'
export type {
  Plan,
  Route,
  RouteAction,
  RouteEntry,
  RoutesConfig,
  RoutesFile,
  Webhook,
  WebhookEntry,
} from './routes.ts'
export { modeOf, readEvents } from './cloudevents.ts'
export type { IncomingEvent, Mode } from './cloudevents.ts'
export { createIngest } from './ingest.ts'
export type { IngestAnswer, IngestedEvent, IngestRequest } from './ingest.ts'
export { coalescingSink, COALESCE_DEFAULTS } from './coalesce.ts'
export type { CoalesceOptions } from './coalesce.ts'
export { createDedup, eventKey } from './dedup.ts'
export type { Dedup, DedupOptions } from './dedup.ts'
export {
  checkSecret,
  createDelivery,
  DELIVERY_DEFAULTS,
  DeliveryError,
  deliverWithRetries,
  retryAfterMs,
} from './webhook/deliver.ts'
export type { Deliver, DeliveryOptions, RetryPolicy, WebhookMessage } from './webhook/deliver.ts'
export {
  cloudEventBatchMessage,
  cloudEventBody,
  cloudEventMessage,
  hdxMessage,
  SHAPES,
} from './webhook/body.ts'
export type { Shape } from './webhook/body.ts'
export {
  createWebhookBatchForwarder,
  createWebhookForwarder,
  FORWARDER_DEFAULTS,
  webhookBatchMessage,
  webhookMessage,
} from './webhook/forwarder.ts'
export type { BatchForwarder, Forwarder, ForwarderOptions } from './webhook/forwarder.ts'
export { createChangeEvents } from './changes/events.ts'
export type {
  ChangeEvents,
  ChangeEventsOptions,
  ChangeInput,
  ChangeOutcome,
  ChangeResult,
} from './changes/events.ts'
export { deletedMarker, diffContent } from './changes/diff.ts'
export type { DiffOptions } from './changes/diff.ts'
export { markdown, NORMALIZER_FUNCTIONS, whitespace } from './changes/normalize.ts'
export type { Normalizer } from './changes/normalize.ts'
