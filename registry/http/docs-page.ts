import type { Method, OpenApiDocument, Operation } from './openapi.ts'
import { STATUS } from '../../http/problem.ts'

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
/** The few inline marks the descriptions use: `code`. */
const inline = (s: string) => esc(s).replace(/`([^`]+)`/g, '<code>$1</code>')
const METHODS: readonly Method[] = ['get', 'post', 'put', 'delete']

function operation(path: string, method: Method, op: Operation): string {
  const params = (op.parameters ?? [])
    .map(
      (p) =>
        `<tr><td><code>${esc(p.name)}</code></td><td>${p.in}</td><td>${p.required ? 'yes' : 'no'}</td><td><code>${esc(JSON.stringify(p.schema))}</code></td><td>${inline(p.description)}</td></tr>`,
    )
    .join('')
  const body = op.requestBody
    ? `<p><b>Body</b> (${Object.keys(op.requestBody.content).map(esc).join(', ')})${op.requestBody.description ? `: ${inline(op.requestBody.description)}` : ''}</p>`
    : ''
  const responses = Object.entries(op.responses)
    .map(
      ([status, r]) =>
        `<tr><td>${esc(status)}</td><td>${inline(r.description)}</td><td>${Object.keys(r.content ?? {})
          .map(esc)
          .join(', ')}</td></tr>`,
    )
    .join('')
  return `<section id="${esc(op.operationId)}">
<h3><span class="m ${method}">${method.toUpperCase()}</span> <code>${esc(path)}</code>${op.security ? ` <span class="lock">${op.security[0]?.bearer?.includes('admin') ? 'admin token' : 'token that may write it'}</span>` : ''}</h3>
<p>${inline(op.summary)}</p>${op.description ? `<p>${inline(op.description)}</p>` : ''}
${params ? `<table><tr><th>parameter</th><th>in</th><th>required</th><th>schema</th><th></th></tr>${params}</table>` : ''}${body}
<table><tr><th>status</th><th>meaning</th><th>content</th></tr>${responses}</table>
</section>`
}

/** A self-contained API reference page (no scripts, no CDN), rendered once from the OpenAPI document. */
export function renderDocsPage(doc: OpenApiDocument): string {
  const sections = Object.entries(doc.paths)
    .flatMap(([path, item]) => METHODS.flatMap((m) => (item[m] ? [operation(path, m, item[m])] : [])))
    .join('\n')
  const codes = Object.entries(STATUS)
    .map(([code, status]) => `<tr><td><code>${code}</code></td><td>${status}</td></tr>`)
    .join('')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(doc.info.title)}</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
code{font:13px ui-monospace,monospace;background:#f3f3f3;padding:0 .2em;border-radius:3px}
table{border-collapse:collapse;margin:.5rem 0;width:100%}td,th{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}
section{border-top:1px solid #eee;padding:.5rem 0}.m{display:inline-block;min-width:4.5em;text-align:center;border-radius:4px;color:#fff;font-size:12px;padding:.1em .4em}
.get{background:#2b7}.post{background:#27c}.put{background:#c82}.delete{background:#c33}.lock{font-size:12px;color:#a60}
</style></head><body>
<h1>${esc(doc.info.title)}</h1><p>${inline(doc.info.description)}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI ${esc(doc.openapi)}). Errors are <code>application/problem+json</code>: <code>{ type, title, status, code, issues }</code>.</p>
${sections}
<h2>Error codes</h2><table><tr><th>code</th><th>status</th></tr>${codes}<tr><td><code>NOT_FOUND</code></td><td>404</td></tr><tr><td><code>INTERNAL</code></td><td>500</td></tr></table>
</body></html>`
}
