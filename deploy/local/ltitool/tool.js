'use strict'
// Minimal LTI 1.3 test tool built on ltijs 5.9.9 + ltijs-sequelize 2.4.4 (PostgreSQL).
// Everything is configured from env vars; see README section in /tmp/lti-research.md.
//
// Routes (all on http://$TOOL_HOST:$TOOL_PORT):
//   GET|POST /login        OIDC third-party login initiation (ltijs reserved route)
//   POST     /             launch (redirect_uri / target_link_uri); ltijs validates, then
//                          redirects to /?ltik=... which renders the launch page
//   GET      /keys         tool JWKS (ltijs reserved route)
//   POST     /grade        (ltik) post a score via AGS
//   GET      /members      (ltik) read NRPS memberships
//   POST     /deeplink     (ltik) answer a deep-linking request with one ltiResourceLink item
//   GET      /received     (no auth) everything the tool received / did, as JSON
//   POST     /received/reset (no auth) clears it
//   GET      /healthz      (no auth) readiness probe
const fs = require('fs')
const jwt = require('jsonwebtoken') // dependency of ltijs
const lti = require('ltijs').Provider
const Database = require('ltijs-sequelize')

const env = (k, d) => (process.env[k] !== undefined && process.env[k] !== '' ? process.env[k] : d)
const HOST = env('TOOL_HOST', '127.0.0.1')
const PORT = parseInt(env('TOOL_PORT', '3000'), 10)
const RECEIVED_FILE = env('TOOL_RECEIVED_FILE', '') // optional JSON-lines log

const received = [] // in-memory log, served at GET /received
function record (kind, data) {
  const entry = { kind, at: new Date().toISOString(), ...data }
  received.push(entry)
  if (RECEIVED_FILE) fs.appendFileSync(RECEIVED_FILE, JSON.stringify(entry) + '\n')
  console.log('[tool] ' + kind + ' ' + JSON.stringify(data).slice(0, 300))
}
const esc = s => String(s === undefined ? '' : s).replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]))

const db = new Database(env('PGDATABASE', 'ltijs_tool'), env('PGUSER', 'postgres'), env('PGPASSWORD', ''), {
  host: env('PGHOST', '127.0.0.1'),
  port: parseInt(env('PGPORT', '5432'), 10),
  dialect: 'postgres',
  logging: false
})

lti.setup(env('TOOL_LTI_KEY', 'test-only-ltijs-key'), { plugin: db }, {
  appRoute: '/',
  loginRoute: '/login',
  keysetRoute: '/keys',
  // Plain http, tool and platform on the same host (127.0.0.1): ltijs defaults (no Secure, no SameSite attr
  // = Lax in Chromium) work. TOOL_COOKIE_SAMESITE=None + TOOL_COOKIE_SECURE=true only for cross-site embedding.
  cookies: { secure: env('TOOL_COOKIE_SECURE', 'false') === 'true', sameSite: env('TOOL_COOKIE_SAMESITE', '') },
  devMode: env('TOOL_DEV_MODE', 'false') === 'true', // true = tolerate missing state/session cookies
  tokenMaxAge: parseInt(env('TOOL_TOKEN_MAX_AGE', '60'), 10), // seconds allowed since id_token iat (default 10)
  cors: false,
  // Runs before ltijs' own validation middleware: record every id_token POST and the outcome.
  serverAddon: app => {
    app.use((req, res, next) => {
      if (req.method === 'POST' && req.body && req.body.id_token) {
        const decoded = jwt.decode(req.body.id_token, { complete: true })
        res.on('finish', () => {
          const loc = res.getHeader('location') || ''
          record('launch', {
            accepted: res.statusCode === 302 && /[?&]ltik=/.test(loc),
            status: res.statusCode,
            path: req.path,
            state: req.body.state,
            header: decoded && decoded.header,
            claims: decoded && decoded.payload,
            id_token: req.body.id_token,
            error: res.locals.err || null
          })
        })
      }
      if (req.path === '/login') {
        // record the initiation params and the nonce/state ltijs sends to the platform's auth endpoint,
        // so a test can check that the platform echoed the nonce (ltijs itself only checks nonce replay)
        const params = { ...req.query, ...(req.body || {}) }
        res.on('finish', () => {
          const loc = res.getHeader('location') || ''
          const q = loc.includes('?') ? Object.fromEntries(new URLSearchParams(loc.split('?')[1])) : {}
          record('login', { method: req.method, params, status: res.statusCode, authRedirect: loc.split('?')[0], nonce: q.nonce, state: q.state })
        })
      }
      next()
    })
  }
})

lti.whitelist('/received', '/received/reset', '/healthz')

// Rejections: log and show the reason (status 401, JSON) instead of a bare error.
// (id_token POSTs are already recorded by the serverAddon hook above)
lti.onInvalidToken(async (req, res) => {
  if (!(req.body && req.body.id_token)) record('rejected', { path: req.path, method: req.method, error: res.locals.err })
  return res.status(401).send(res.locals.err)
})
lti.onSessionTimeout(async (req, res) => {
  record('session_rejected', { path: req.path, method: req.method, error: res.locals.err })
  return res.status(401).send(res.locals.err)
})

function page (title, body) {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(title)}</title></head><body>${body}</body></html>`
}

// Resource link launch page
lti.onConnect(async (token, req, res) => {
  const c = token.platformContext
  record('page_shown', { messageType: c.messageType, user: token.user })
  const ltik = res.locals.ltik
  const ep = c.endpoint || {}
  return res.send(page('LTI test tool', `
<h1 id="tool-title">LTI test tool: launch received</h1>
<dl>
 <dt>message_type</dt><dd id="message-type">${esc(c.messageType)}</dd>
 <dt>user (sub)</dt><dd id="user">${esc(token.user)}</dd>
 <dt>name</dt><dd id="user-name">${esc(token.userInfo && token.userInfo.name)}</dd>
 <dt>roles</dt><dd id="roles">${esc((c.roles || []).join(' '))}</dd>
 <dt>context</dt><dd id="context">${esc(c.context && c.context.id)} ${esc(c.context && c.context.title)}</dd>
 <dt>resource_link</dt><dd id="resource-link">${esc(c.resource && c.resource.id)} ${esc(c.resource && c.resource.title)}</dd>
 <dt>custom</dt><dd id="custom">${esc(JSON.stringify(c.custom || {}))}</dd>
 <dt>AGS lineitem</dt><dd id="ags-lineitem">${esc(ep.lineitem || '')}</dd>
 <dt>NRPS</dt><dd id="nrps-url">${esc(c.namesRoles && c.namesRoles.context_memberships_url)}</dd>
</dl>
<form method="POST" action="/grade">
  <input type="hidden" name="ltik" value="${esc(ltik)}">
  <label>Score <input id="score-input" name="score" value="${esc(env('TOOL_DEFAULT_SCORE', '85'))}"></label> / 100
  <button id="post-score" type="submit">Post score</button>
</form>
<form method="GET" action="/members">
  <input type="hidden" name="ltik" value="${esc(ltik)}">
  <button id="get-members" type="submit">Get members</button>
</form>`))
})

// Deep linking request page
lti.onDeepLinking(async (token, req, res) => {
  const s = token.platformContext.deepLinkingSettings || {}
  return res.send(page('LTI test tool: deep linking', `
<h1 id="tool-title">LTI test tool: deep linking request</h1>
<p id="accept-types">${esc((s.accept_types || []).join(' '))}</p>
<p id="return-url">${esc(s.deep_link_return_url)}</p>
<form method="POST" action="/deeplink">
  <input type="hidden" name="ltik" value="${esc(res.locals.ltik)}">
  <label>Title <input id="item-title" name="title" value="Tool activity"></label>
  <button id="add-item" type="submit">Add content item</button>
</form>`))
})

lti.app.post('/deeplink', async (req, res) => {
  try {
    const title = req.body.title || 'Tool activity'
    const items = [{
      type: 'ltiResourceLink',
      title,
      text: 'Created by the ltijs test tool',
      url: env('TOOL_PUBLIC_URL', `http://${HOST}:${PORT}`) + '/',
      custom: { chosen_title: title },
      lineItem: { scoreMaximum: 100, label: title, resourceId: 'tool-res-1', tag: 'grade' }
    }]
    const message = await lti.DeepLinking.createDeepLinkingMessage(res.locals.token, items, { message: 'Item added' })
    record('deeplink_response', { return_url: res.locals.context.deepLinkingSettings.deep_link_return_url, claims: jwt.decode(message) })
    const form = await lti.DeepLinking.createDeepLinkingForm(res.locals.token, items, { message: 'Item added' })
    return res.send(form) // auto-submitting form POSTing JWT=<signed response> to deep_link_return_url
  } catch (err) {
    record('deeplink_error', { error: err.message })
    return res.status(500).send(page('error', `<p id="error">${esc(err.message)}</p>`))
  }
})

lti.app.post('/grade', async (req, res) => {
  const token = res.locals.token
  try {
    let lineItemId = res.locals.context.endpoint && res.locals.context.endpoint.lineitem
    if (!lineItemId) {
      const r = await lti.Grade.getLineItems(token, { resourceLinkId: true })
      if (r.lineItems && r.lineItems.length) lineItemId = r.lineItems[0].id
      else lineItemId = (await lti.Grade.createLineItem(token, { scoreMaximum: 100, label: 'Tool grade', tag: 'grade', resourceLinkId: res.locals.context.resource.id })).id
    }
    const score = {
      userId: token.user,
      scoreGiven: Number(req.body.score),
      scoreMaximum: 100,
      activityProgress: 'Completed',
      gradingProgress: 'FullyGraded',
      comment: 'from ltijs test tool'
    }
    const sent = await lti.Grade.submitScore(token, lineItemId, score)
    record('score_posted', { lineItem: lineItemId, score: sent })
    return res.send(page('score', `<p id="score-result">Score posted: ${esc(sent.scoreGiven)}</p>`))
  } catch (err) {
    const detail = err.response ? { status: err.response.statusCode, body: String(err.response.body).slice(0, 2000) } : {}
    record('score_error', { error: err.message, ...detail })
    return res.status(500).send(page('error', `<p id="error">${esc(err.message)}</p>`))
  }
})

lti.app.get('/members', async (req, res) => {
  try {
    const result = await lti.NamesAndRoles.getMembers(res.locals.token, { pages: false })
    record('members', { count: (result.members || []).length, result })
    const rows = (result.members || []).map(m => `<li class="member">${esc(m.user_id)} ${esc(m.name)} ${esc((m.roles || []).join(' '))}</li>`).join('')
    return res.send(page('members', `<ul id="members">${rows}</ul>`))
  } catch (err) {
    const detail = err.response ? { status: err.response.statusCode, body: String(err.response.body).slice(0, 2000) } : {}
    record('members_error', { error: err.message, ...detail })
    return res.status(500).send(page('error', `<p id="error">${esc(err.message)}</p>`))
  }
})

lti.app.get('/received', (req, res) => res.json(received))
lti.app.post('/received/reset', (req, res) => { received.length = 0; res.json({ ok: true }) })
lti.app.get('/healthz', (req, res) => res.json({ ok: true }))

async function main () {
  await lti.deploy({ serverless: true, silent: true }) // connects DB + runs sequelize sync/migrations; no listen
  if (env('PLATFORM_ISS', '')) {
    const plat = await lti.registerPlatform({
      url: env('PLATFORM_ISS'), // must equal the id_token "iss" exactly (trailing slash matters)
      name: env('PLATFORM_NAME', 'Go LMS'),
      clientId: env('PLATFORM_CLIENT_ID'), // must equal id_token "aud" (or be in aud[] with azp)
      authenticationEndpoint: env('PLATFORM_AUTH_URL'), // OIDC auth endpoint (tool redirects browser there)
      accesstokenEndpoint: env('PLATFORM_TOKEN_URL'), // OAuth2 client_credentials token endpoint
      authorizationServer: env('PLATFORM_TOKEN_AUD', undefined), // aud of the client_assertion; default = token URL
      authConfig: { method: 'JWK_SET', key: env('PLATFORM_JWKS_URL') } // platform's JWKS, fetched on every launch
    })
    const kid = await plat.platformKid()
    console.log('[tool] platform registered, tool kid=' + kid)
  }
  await new Promise((resolve, reject) => {
    const srv = lti.app.listen(PORT, HOST, resolve)
    srv.on('error', reject)
  })
  console.log(`[tool] READY http://${HOST}:${PORT} login=/login launch=/ keys=/keys`)
}
main().catch(err => { console.error('[tool] startup failed', err); process.exit(1) })
process.on('SIGTERM', async () => { try { await lti.close({ silent: true }) } finally { process.exit(0) } })
