import type { Logger } from 'pino'

/**
 * The request log: one line per request, `{method, path, status, ms}` with the message `request`. A read that
 * succeeded (GET or HEAD below 400) is logged at `debug`, everything else (writes, refusals, errors, unknown ids)
 * at `info`. Reads are public, served from memory, and by far the most frequent requests (a Confluent deserializer
 * asks for every id it meets): their line cost about 6% of a cached read's instructions for nothing the metrics
 * (`registry_http_requests_total` by route and status, the duration histogram) do not already say. `LOG_LEVEL=debug`
 * logs every request again.
 */
export function logRequest(logger: Logger, method: string, path: string, status: number, ms: number): void {
  const read = (method === 'GET' || method === 'HEAD') && status < 400
  if (read ? !logger.isLevelEnabled('debug') : !logger.isLevelEnabled('info')) return
  const line = { method, path, status, ms: Math.round(ms * 1000) / 1000 }
  if (read) logger.debug(line, 'request')
  else logger.info(line, 'request')
}
