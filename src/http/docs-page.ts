/**
 * The /docs (and /redoc) page: Swagger UI from the swagger-ui-dist package renders /openapi.json, and our panel
 * (docs-try-it.ts) sends requests and decodes their answers. Everything loads from this server; the page's
 * Content-Security-Policy forbids any other origin, so it works offline and cannot leak requests elsewhere.
 */

export const DOCS_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // Swagger UI sets style attributes from script.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'self'",
].join('; ');

export const ASSET_PREFIX = '/docs/assets/';

export const DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>s3-active-storage API</title>
  <link rel="icon" type="image/png" href="${ASSET_PREFIX}favicon-32x32.png">
  <link rel="stylesheet" href="${ASSET_PREFIX}swagger-ui.css">
  <link rel="stylesheet" href="${ASSET_PREFIX}try-it.css">
</head>
<body>
  <section id="try-it" class="try-panel" aria-labelledby="try-it-title">
    <h2 id="try-it-title">s3-active-storage: try a request</h2>
    <p>Sends a request from this page to this server and decodes the answer (v2 answers are CBOR).
      The examples read the sample store that <code>npm start</code> runs at http://localhost:9000.
      The reference below is rendered from <a href="/openapi.json">/openapi.json</a>.</p>
    <div class="try-row">
      <label>API
        <select id="try-version">
          <option value="v2">v2 (Reductionist, CBOR)</option>
          <option value="v1">v1 (prototype, raw bytes)</option>
        </select>
      </label>
      <label>Operation <select id="try-op"></select></label>
      <label class="try-wide">Example <select id="try-example"></select></label>
    </div>
    <label class="try-block">Request body (JSON)
      <textarea id="try-body" rows="12" spellcheck="false"></textarea>
    </label>
    <div class="try-row">
      <label>Access key <input id="try-user" value="minioadmin" autocomplete="off"></label>
      <label>Secret key <input id="try-password" type="password" value="minioadmin" autocomplete="off"></label>
      <span class="try-hint">Leave both empty to read anonymously.</span>
      <button id="try-send" type="button" disabled>Send</button>
    </div>
    <div id="try-status" class="try-status" role="status">Loading /openapi.json …</div>
    <table id="try-result" class="try-result"></table>
  </section>
  <div id="swagger-ui"></div>
  <script src="${ASSET_PREFIX}swagger-ui-bundle.js"></script>
  <script src="${ASSET_PREFIX}docs-init.js"></script>
  <script src="${ASSET_PREFIX}try-it.js"></script>
</body>
</html>
`;

/** Swagger UI without its top bar (which would load other documents) and without the online validator badge. */
export const DOCS_INIT_SCRIPT = `'use strict';
window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  validatorUrl: null,
  deepLinking: true,
  docExpansion: 'list',
  defaultModelsExpandDepth: 1,
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout'
});
`;

export const TRY_IT_CSS = `.try-panel {
  box-sizing: border-box; max-width: 1420px; margin: 20px auto 0; padding: 12px 20px 16px;
  font-family: sans-serif; color: #3b4151;
  border: 1px solid #61affe; border-radius: 4px; background: #ebf3fb;
}
.try-panel h2 { margin: 0 0 6px; font-size: 20px; }
.try-panel p { margin: 0 0 10px; }
.try-row { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-end; margin: 8px 0; }
.try-row label, .try-block { display: flex; flex-direction: column; font-size: 13px; font-weight: bold; gap: 4px; }
.try-wide { flex: 1 1 360px; }
.try-panel select, .try-panel input, .try-panel textarea { font: 14px monospace; padding: 4px; }
.try-panel textarea { width: 100%; box-sizing: border-box; }
.try-hint { font-size: 13px; color: #555; padding-bottom: 6px; }
.try-panel button {
  font-size: 15px; font-weight: bold; padding: 6px 24px; color: #fff; background: #4990e2;
  border: none; border-radius: 4px; cursor: pointer;
}
.try-panel button:disabled { background: #9bb; cursor: default; }
.try-status { margin: 10px 0 6px; font-family: monospace; }
.try-error { color: #c20; font-weight: bold; }
.try-result { border-collapse: collapse; font-family: monospace; }
.try-result th { text-align: left; padding: 2px 16px 2px 0; vertical-align: top; }
.try-result td { padding: 2px 0; white-space: pre-wrap; word-break: break-all; }
`;
