/** The gateway over HTTP on @hono/node-server: listen, and close gracefully. */
import { serve, type ServerType } from '@hono/node-server'
import type { Hono } from 'hono'

export interface ListenOptions {
  /** 0 picks a free port. Default 8090. */
  readonly port?: number
  /** Loopback by default: exposing the gateway is a decision (HOST=0.0.0.0 in a container). */
  readonly host?: string
  /** Graceful shutdown: how long in-flight requests may take before connections are cut. Default 10 s. */
  readonly shutdownTimeoutMs?: number
  /** Called once the server has stopped (closing the sink, say). */
  readonly onClose?: () => Promise<void>
}

export const LISTEN_DEFAULTS = { port: 8090, host: '127.0.0.1', shutdownTimeoutMs: 10_000 } as const

export interface ListeningGateway {
  readonly server: ServerType
  /** The port actually bound (useful with port 0). */
  readonly port: number
  readonly url: string
  /** Stop accepting, let in-flight requests finish (up to shutdownTimeoutMs), then `onClose`. */
  close(): Promise<void>
}

export async function listenGateway(app: Hono, options: ListenOptions = {}): Promise<ListeningGateway> {
  const { port, host, shutdownTimeoutMs } = { ...LISTEN_DEFAULTS, ...options }
  const { server, bound } = await new Promise<{ server: ServerType; bound: number }>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port, hostname: host }, (info) =>
      resolve({ server: s, bound: info.port }),
    )
    s.once('error', reject)
  })
  let closing: Promise<void> | undefined
  const close = () =>
    (closing ??= (async () => {
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          if ('closeAllConnections' in server) server.closeAllConnections()
        }, shutdownTimeoutMs)
        force.unref()
        server.close(() => {
          clearTimeout(force)
          resolve()
        })
        // Keep-alive connections with no request in flight would hold close() open.
        if ('closeIdleConnections' in server) server.closeIdleConnections()
      })
      await options.onClose?.()
    })())
  const shown = host.includes(':') ? `[${host}]` : host
  return { server, port: bound, url: `http://${shown}:${bound}`, close }
}
