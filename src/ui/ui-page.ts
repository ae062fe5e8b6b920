/**
 * The status page: one HTML document with its style and script inline, so it needs no build
 * step, no CDN and no other request than its own polls of `/ui/state`. Everything it shows is
 * written with textContent, never as HTML.
 */
export function statusPage(token: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="proxmcp-token" content="${token}">
<title>ProxMCP status</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>ProxMCP</h1><p id="summary" aria-live="polite">Loading…</p>
<button type="button" id="reload" hidden>Reload config</button></header>
<main>
<section aria-labelledby="h-traffic"><h2 id="h-traffic">Traffic</h2>
<dl class="stats"><div><dt>Requests/s</dt><dd id="rps">–</dd></div><div><dt>p50</dt><dd id="p50">–</dd></div>
<div><dt>p99</dt><dd id="p99">–</dd></div><div><dt>Errors</dt><dd id="errors">–</dd></div>
<div><dt>Sessions (2025 era; 2026-07-28 clients hold none)</dt><dd id="sessions">–</dd></div></dl>
<svg id="chart" viewBox="0 0 300 60" role="img" aria-label="Requests per second, last two minutes"><polyline fill="none" stroke="currentColor" stroke-width="2" points=""/></svg>
</section>
<section aria-labelledby="h-upstreams"><h2 id="h-upstreams">Upstreams</h2>
<div class="scroll"><table id="upstreams"><thead><tr><th scope="col">Id</th><th scope="col">State</th><th scope="col">Transport</th><th scope="col">Era</th><th scope="col">Target</th><th scope="col">Tools</th><th scope="col">Resources</th><th scope="col">Prompts</th><th scope="col">Reconnects</th><th scope="col">Last error</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead><tbody></tbody></table></div>
</section>
<section aria-labelledby="h-servers" id="servers-section" hidden><h2 id="h-servers">Virtual servers</h2>
<div class="scroll"><table id="servers"><thead><tr><th scope="col">Path</th><th scope="col">Upstreams</th><th scope="col">Sessions</th><th scope="col">Who may use it</th><th scope="col">Tool search</th></tr></thead><tbody></tbody></table></div>
</section>
<section aria-labelledby="h-catalog"><h2 id="h-catalog">Catalog</h2>
<span id="catalog-of-field" hidden><label for="catalog-of">Of</label> <select id="catalog-of"></select></span>
<label for="search">Search</label> <input id="search" type="search" placeholder="name or upstream">
<div class="scroll"><table id="catalog"><thead><tr><th scope="col">Kind</th><th scope="col">Name</th><th scope="col">Upstream</th><th scope="col">Marks</th></tr></thead><tbody></tbody></table></div>
</section>
<section aria-labelledby="h-try"><h2 id="h-try">Try a tool</h2>
<form id="try"><p>Calls the tool through an MCP endpoint, as any client would: same access rules, limits and log.</p>
<label for="endpoint">Endpoint</label> <select id="endpoint"></select>
<label for="tool">Tool</label> <input id="tool" required list="tool-names" autocomplete="off">
<datalist id="tool-names"></datalist>
<label for="args">Arguments (JSON)</label> <textarea id="args" rows="3">{}</textarea>
<label for="key">API key, if the proxy asks for one</label> <input id="key" type="password" autocomplete="off">
<button type="submit">Call</button></form>
<pre id="result" aria-live="polite"></pre>
</section>
<section aria-labelledby="h-recent"><h2 id="h-recent">Recent requests</h2>
<div class="scroll"><table id="recent"><thead><tr><th scope="col">Time</th><th scope="col">Method</th><th scope="col">Name</th><th scope="col">Upstream</th><th scope="col">Status</th><th scope="col">ms</th></tr></thead><tbody></tbody></table></div>
</section>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`
}

const STYLE = `
:root{color-scheme:light dark;--fg:#1b1f24;--bg:#fff;--muted:#57606a;--line:#d0d7de;--ok:#1a7f37;--bad:#cf222e;--warn:#9a6700;--accent:#0969da}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--muted:#9198a1;--line:#30363d;--ok:#3fb950;--bad:#f85149;--warn:#d29922;--accent:#4493f8}}
*{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,sans-serif;color:var(--fg);background:var(--bg)}
header,main{max-width:72rem;margin:0 auto;padding:1rem}header{display:flex;flex-wrap:wrap;gap:1rem;align-items:center}
h1{margin:0;font-size:1.4rem}h2{font-size:1.1rem;margin:1.5rem 0 .5rem}#summary{margin:0;color:var(--muted);flex:1}
.scroll{overflow-x:auto;position:relative}table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
th{font-weight:600;color:var(--muted)}.stats{display:flex;flex-wrap:wrap;gap:1.5rem;margin:0}.stats dt{color:var(--muted);font-size:.85rem}.stats dd{margin:0;font-size:1.3rem;font-variant-numeric:tabular-nums}
#chart{width:100%;max-width:40rem;height:4rem;color:var(--accent)}.up{color:var(--ok)}.down,.error{color:var(--bad)}.connecting{color:var(--warn)}
.mark{display:inline-block;border:1px solid var(--line);border-radius:.7rem;padding:0 .45rem;margin-right:.25rem;font-size:.8rem}
button,input,textarea{font:inherit;color:inherit;background:var(--bg);border:1px solid var(--line);border-radius:.35rem;padding:.3rem .6rem}
button{cursor:pointer}:focus-visible{outline:2px solid var(--accent);outline-offset:2px}form{display:grid;gap:.4rem;max-width:40rem}
textarea{font-family:ui-monospace,monospace}pre{white-space:pre-wrap;overflow-wrap:anywhere;background:color-mix(in srgb,var(--line) 30%,transparent);padding:.5rem;border-radius:.35rem}
tr.hidden{opacity:.6}pre:empty{display:none}.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
`

const SCRIPT = `
const token = document.querySelector('meta[name=proxmcp-token]').content
const $ = (id) => document.getElementById(id)
const history = []
let last, state
function cell(row, text, cls) { const td = row.insertCell(); td.textContent = text ?? ''; if (cls) td.className = cls; return td }
function rows(id, items, fill) { const body = $(id).tBodies[0]; body.replaceChildren(); for (const item of items) fill(body.insertRow(), item) }
function quantile(latency, q) {
  if (latency.count <= 0) return undefined
  let seen = 0
  for (let i = 0; i < latency.counts.length; i++) { seen += latency.counts[i]; if (seen >= q * latency.count) return i < latency.bounds.length ? latency.bounds[i] : Infinity }
  return Infinity
}
function ms(seconds) { return seconds === undefined ? '–' : seconds === Infinity ? '> 60 s' : '≤ ' + (seconds * 1000).toFixed(seconds < 0.01 ? 1 : 0) + ' ms' }
function traffic(now, at) {
  if (!last) return
  const seconds = (at - last.at) / 1000, requests = now.requests - last.traffic.requests
  const latency = { bounds: now.latency.bounds, counts: now.latency.counts.map((n, i) => n - last.traffic.latency.counts[i]), count: now.latency.count - last.traffic.latency.count }
  const rps = requests / seconds
  if (!(seconds > 0) || !Number.isFinite(rps) || rps < 0) return
  history.push(rps); if (history.length > 60) history.shift()
  $('rps').textContent = rps.toFixed(1)
  $('p50').textContent = ms(quantile(latency, 0.5)); $('p99').textContent = ms(quantile(latency, 0.99))
  $('errors').textContent = requests > 0 ? ((100 * (now.failed - last.traffic.failed)) / requests).toFixed(1) + ' %' : '0 %'
  const top = Math.max(1, ...history)
  // Newest on the right, 5 units a reading.
  $('chart').firstElementChild.setAttribute('points', history.map((v, i) => 300 - (history.length - 1 - i) * 5 + ',' + (58 - (v / top) * 56)).join(' '))
}
function marks(tool) {
  return tool.marks.map((m) => m !== 'conflict' ? m : tool.shown || tool.marks.includes('filtered') ? 'conflict: also in ' + tool.conflictWith : 'conflict: ' + tool.conflictWith + ' has the name')
}
function catalogOf(server) { return (server && state.serverCatalogs[server]) || state }
function toolNames() {
  const tools = catalogOf($('endpoint').value.replace(/^mcp\\/?/, '')).tools
  $('tool-names').replaceChildren(...tools.filter((t) => t.shown).map((t) => Object.assign(document.createElement('option'), { value: t.name })))
}
function render() {
  const search = $('search').value.toLowerCase(), view = catalogOf($('catalog-of').value)
  const entries = [
    ...view.tools.map((t) => ({ kind: 'tool', name: t.name, upstream: t.upstream, hidden: !t.shown, marks: marks(t).concat(t.name !== t.original ? ['was ' + t.original] : []) })),
    ...view.prompts.map((p) => ({ kind: 'prompt', name: p.name, upstream: p.upstream, marks: [] })),
    ...view.resources.map((r) => ({ kind: 'resource', name: r.uri, upstream: r.upstream, marks: [] })),
  ].filter((e) => !search || (e.name + ' ' + e.upstream).toLowerCase().includes(search))
  rows('catalog', entries, (row, e) => {
    if (e.hidden) row.className = 'hidden'
    cell(row, e.kind); cell(row, e.name); cell(row, e.upstream)
    const td = cell(row, '')
    for (const m of e.marks) { const span = document.createElement('span'); span.className = 'mark'; span.textContent = m; td.append(span) }
  })
}
async function act(path) {
  const response = await fetch(path, { method: 'POST', headers: { 'x-proxmcp-token': token } })
  const body = await response.json().catch(() => ({}))
  $('summary').textContent = body.message ?? body.error?.message ?? response.statusText
  poll()
}
let polling = false
async function poll() {
  if (polling) return
  polling = true
  try { await refresh() } finally { polling = false }
}
async function refresh() {
  const response = await fetch('ui/state', { headers: { accept: 'application/json' } })
  if (!response.ok) { $('summary').textContent = 'The proxy answered ' + response.status; return }
  state = await response.json()
  const at = Date.now()
  traffic(state.traffic, at); last = { traffic: state.traffic, at }
  const up = state.upstreams.filter((u) => u.state === 'up').length
  $('summary').textContent = up + ' of ' + state.upstreams.length + ' upstreams up · ' + state.callsInFlight + ' calls in flight'
  $('sessions').textContent = state.sessions
  $('reload').hidden = !state.canReload
  rows('upstreams', state.upstreams, (row, u) => {
    cell(row, u.id); cell(row, u.state, u.state); cell(row, u.transport); cell(row, u.era === 'legacy' ? '2025' : u.era === 'modern' ? '2026-07-28' : '–')
    cell(row, [u.target, ...u.secrets].join(' ')); cell(row, u.tools); cell(row, u.resources + u.resourceTemplates); cell(row, u.prompts); cell(row, u.reconnects); cell(row, u.lastError, 'error')
    const button = document.createElement('button'); button.type = 'button'; button.textContent = 'Restart'
    button.setAttribute('aria-label', 'Restart ' + u.id); button.onclick = () => act('ui/upstreams/' + encodeURIComponent(u.id) + '/restart')
    cell(row, '').append(button)
  })
  const picked = $('endpoint').value
  $('endpoint').replaceChildren(...state.endpoints.map((path) => Object.assign(document.createElement('option'), { value: path, textContent: '/' + path, selected: path === picked })))
  $('servers-section').hidden = state.servers.length === 0
  rows('servers', state.servers, (row, s) => { cell(row, '/mcp/' + s.name); cell(row, s.upstreams.join(', ')); cell(row, s.sessions); cell(row, s.access ? s.access.join(', ') : 'anyone'); cell(row, s.toolSearch ? 'on' : 'off') })
  const servers = Object.keys(state.serverCatalogs), of = $('catalog-of').value
  $('catalog-of-field').hidden = servers.length === 0
  $('catalog-of').replaceChildren(Object.assign(document.createElement('option'), { value: '', textContent: 'every upstream' }), ...servers.map((name) => Object.assign(document.createElement('option'), { value: name, textContent: '/mcp/' + name, selected: name === of })))
  toolNames()
  rows('recent', state.recent, (row, r) => { cell(row, r.time.slice(11, 19)); cell(row, r.method); cell(row, r.name); cell(row, r.upstream); cell(row, r.status, r.status >= 400 ? 'error' : ''); cell(row, r.durationMs) })
  render()
}
async function rpc(path, session, key, message) {
  const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }
  if (session) headers['mcp-session-id'] = session
  if (key) headers.authorization = 'Bearer ' + key
  const response = await fetch(path, { method: 'POST', headers, body: JSON.stringify(message) })
  const text = await response.text()
  const data = text.split('\\n').filter((line) => line.startsWith('data:')).map((line) => line.slice(5)).pop() ?? text
  return { response, body: data ? JSON.parse(data) : undefined }
}
$('try').onsubmit = async (event) => {
  event.preventDefault()
  const out = $('result'); out.textContent = 'Calling…'
  try {
    const key = $('key').value, args = JSON.parse($('args').value || '{}'), path = $('endpoint').value
    if (!path) throw new Error('No MCP endpoint is served')
    const init = await rpc(path, undefined, key, { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'proxmcp-status-page', version: '1' } } })
    if (!init.response.ok) throw new Error(init.body?.error?.message ?? 'HTTP ' + init.response.status)
    const session = init.response.headers.get('mcp-session-id')
    await rpc(path, session, key, { jsonrpc: '2.0', method: 'notifications/initialized' })
    const call = await rpc(path, session, key, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: $('tool').value, arguments: args } })
    out.textContent = JSON.stringify(call.body?.result ?? call.body?.error ?? call.body, null, 2)
    fetch(path, { method: 'DELETE', headers: { 'mcp-session-id': session, ...(key && { authorization: 'Bearer ' + key }) } })
  } catch (error) { out.textContent = String(error.message ?? error) }
  poll()
}
$('search').oninput = $('catalog-of').onchange = () => state && render()
$('endpoint').onchange = () => state && toolNames()
$('reload').onclick = () => act('ui/reload')
poll(); setInterval(poll, 2000)
`
