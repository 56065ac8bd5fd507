/// The templates of Administration → Interrogation Services and the security hub.
extension PortalTemplates {
    /// Scanners, advisory data and scan all.
    static let interrogationServices = #"""
        {{<layout}}
        {{$title}}Interrogation services{{/title}}
        {{$content}}
        {{>admin-tabs}}
        <h1>Interrogation services</h1>
        {{#problem}}<p class="problem" role="alert" id="problem">{{problem}}</p>{{/problem}}
        {{#saved}}<p class="notice" role="status" id="saved">Saved.</p>{{/saved}}
        <section class="card" id="scanners">
          <h2>Scanners</h2>
          <div class="scroll">
          <table class="list" id="scanner-table">
            <thead><tr><th scope="col">Name</th><th scope="col">Endpoint</th><th scope="col">Authentication</th><th scope="col">State</th><th scope="col">Default</th><th scope="col"><span class="hidden">Actions</span></th></tr></thead>
            <tbody>{{#scanners}}<tr id="scanner-{{name}}"><td>{{name}}</td><td>{{url}}</td><td>{{auth}}</td><td>{{state}}</td><td>{{#isDefault}}<span class="badge" id="default-scanner">Default</span>{{/isDefault}}</td><td>
              {{^isDefault}}<form method="post" action="{{defaultAction}}" class="inline-form"><input type="hidden" name="csrf_token" value="{{frame.csrf}}"><button type="submit" id="make-default-{{name}}">Set as default</button></form>{{/isDefault}}
              {{#canChange}}{{^isDefault}}<details class="confirm"><summary>Remove</summary><form method="post" action="{{deleteAction}}"><input type="hidden" name="csrf_token" value="{{frame.csrf}}"><button type="submit" class="danger" id="remove-{{name}}">Remove {{name}}</button></form></details>{{/isDefault}}{{/canChange}}
            </td></tr>{{/scanners}}</tbody>
          </table>
          </div>
          <details id="register-scanner"><summary>Register a scanner</summary>
            <form method="post" action="/harbor/interrogation-services/scanners" class="stack">
              <input type="hidden" name="csrf_token" value="{{frame.csrf}}">
              <label for="scanner-name">Name</label><input id="scanner-name" name="name" required maxlength="100">
              <label for="scanner-url">Scanner adapter URL</label><input id="scanner-url" name="url" required placeholder="http://trivy-adapter:8080">
              <label for="scanner-auth">Authentication</label>
              <select id="scanner-auth" name="auth"><option value="">None</option><option value="Basic">Basic (user:password)</option><option value="Bearer">Bearer token</option><option value="X-ScannerAdapter-API-Key">API key</option></select>
              <label for="scanner-credential">Credential</label><input id="scanner-credential" name="access_credential" type="password" autocomplete="off">
              <label for="scanner-description">Description</label><input id="scanner-description" name="description" maxlength="1024">
              <button class="primary" type="submit" id="register-scanner-button">Register</button>
            </form>
          </details>
        </section>
        <section class="card" id="advisory-sources">
          <h2>Advisory data</h2>
          {{#hasSources}}
          <div class="scroll">
          <table class="list" id="source-table">
            <thead><tr><th scope="col">Source</th><th scope="col">Format</th><th scope="col" class="number">Advisories</th><th scope="col">Imported</th><th scope="col">Newest entry</th><th scope="col"><span class="hidden">Actions</span></th></tr></thead>
            <tbody>{{#sources}}<tr id="source-{{name}}"><td>{{name}}</td><td>{{format}}</td><td class="number">{{advisories}}</td><td>{{imported}} <span class="facts">({{age}})</span></td><td>{{newest}}</td><td>
              <details class="confirm"><summary>Remove</summary><form method="post" action="{{deleteAction}}"><input type="hidden" name="csrf_token" value="{{frame.csrf}}"><button type="submit" class="danger">Remove {{name}} and re-match every report</button></form></details>
            </td></tr>{{/sources}}</tbody>
          </table>
          </div>
          {{/hasSources}}
          {{^hasSources}}<p class="empty" id="no-sources">No advisory data yet: scans find nothing until some is imported.</p>{{/hasSources}}
          <form id="advisory-upload" class="stack" data-upload="/api/v2.0/advisories/import" hidden>
            <input type="hidden" name="csrf_token" value="{{frame.csrf}}">
            <label for="advisory-source">Source name</label><input id="advisory-source" name="source" required maxlength="64" placeholder="go-vulndb">
            <label for="advisory-file">Bundle: OSV JSON, a tar (.gz, .zst) or zip of OSV files, a Debian tracker or Alpine secdb export</label>
            <input type="file" id="advisory-file" name="file" required>
            <button class="primary" type="submit" id="advisory-upload-button">Import</button>
            <p role="status" id="advisory-upload-status"></p>
          </form>
          <p>Or import on the server with <code>berth advisories import --data-dir DATA FILE…</code>, or with the API:</p>
          <pre class="command"><code>curl -u admin -H 'Content-Type: application/gzip' --data-binary @vulndb-osv.tar.gz 'https://REGISTRY/api/v2.0/advisories/import?source=go-vulndb'</code></pre>
        </section>
        <section class="card" id="scan-all"{{#ongoing}} data-live="3"{{/ongoing}}>
          <h2>Scan all images</h2>
          <p id="scan-all-progress" class="{{#ongoing}}scan-status running{{/ongoing}}">{{progress}}</p>
          <form method="post" action="/harbor/interrogation-services/scan-all" class="inline-form"><input type="hidden" name="csrf_token" value="{{frame.csrf}}"><button type="submit" id="scan-all-now">Scan now</button></form>
          <form method="post" action="/harbor/interrogation-services/schedule" class="stack">
            <input type="hidden" name="csrf_token" value="{{frame.csrf}}">
            <label for="schedule-type">Schedule</label>
            <select id="schedule-type" name="type">{{#scheduleTypes}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/scheduleTypes}}</select>
            <label for="schedule-cron">Cron (for Custom: seconds minutes hours day month weekday)</label><input id="schedule-cron" name="cron" value="{{cron}}" placeholder="0 0 2 * * *">
            {{#nextRun}}<p class="facts" id="next-run">Next run: {{nextRun}}</p>{{/nextRun}}
            <button class="primary" type="submit" id="save-schedule">Save schedule</button>
          </form>
        </section>
        {{/content}}
        {{/layout}}
        """#

    /// Vulnerabilities across every scanned image.
    static let securityHubPage = #"""
        {{<layout}}
        {{$title}}Security hub{{/title}}
        {{$content}}
        {{>admin-tabs}}
        <h1>Security hub</h1>
        <section class="card">
          <p class="facts" id="hub-facts"><span id="hub-total">{{total}}</span> vulnerabilities ({{fixable}} fixable) in <span id="hub-scanned">{{scanned}}</span> scanned of {{artifacts}} images</p>
          <figure class="chart" id="severity-chart">
            <svg viewBox="0 0 640 {{chart.height}}" role="img" aria-labelledby="severity-title severity-description" preserveAspectRatio="xMidYMid meet">
              <title id="severity-title">Vulnerabilities by severity</title>
              <desc id="severity-description">{{chart.description}}</desc>
              {{#chart.rows}}<text class="tick" x="{{chart.nameX}}" y="{{textY}}" text-anchor="end" dominant-baseline="middle">{{name}}</text>
              <rect class="bar" x="{{chart.barLeft}}" y="{{y}}" width="{{width}}" height="18"><title>{{title}}</title></rect>
              <text class="tick" x="{{valueX}}" y="{{textY}}" dominant-baseline="middle">{{value}}</text>{{/chart.rows}}
            </svg>
          </figure>
        </section>
        <div class="columns">
        <section class="card" id="dangerous-cves">
          <h2>Most dangerous vulnerabilities</h2>
          <table class="list"><thead><tr><th scope="col">Vulnerability</th><th scope="col">Severity</th><th scope="col" class="number">CVSS v3</th><th scope="col">Package</th></tr></thead>
          <tbody>{{#dangerousCVEs}}<tr><td>{{cve}}</td><td><span class="severity {{severityClass}}">{{severity}}</span></td><td class="number">{{score}}</td><td>{{package}} <code>{{version}}</code></td></tr>{{/dangerousCVEs}}</tbody></table>
        </section>
        <section class="card" id="dangerous-artifacts">
          <h2>Most dangerous images</h2>
          <table class="list"><thead><tr><th scope="col">Image</th><th scope="col" class="number">Critical</th><th scope="col" class="number">High</th><th scope="col" class="number">Medium</th></tr></thead>
          <tbody>{{#dangerousArtifacts}}<tr><td>{{repository}}@<code>{{digest}}</code></td><td class="number">{{critical}}</td><td class="number">{{high}}</td><td class="number">{{medium}}</td></tr>{{/dangerousArtifacts}}</tbody></table>
        </section>
        </div>
        <div class="heading">
          <h2>Vulnerabilities</h2>
          <form class="search" method="get" action="/harbor/security-hub" role="search">
            <label for="hub-cve" class="hidden">Vulnerability id</label><input id="hub-cve" name="cve" value="{{cveFilter}}" placeholder="CVE id">
            <label for="hub-package" class="hidden">Package</label><input id="hub-package" name="package" value="{{packageFilter}}" placeholder="Package">
            <button type="submit" id="hub-filter">Filter</button>
          </form>
        </div>
        {{#hasRows}}
        <div class="scroll">
        <table class="list" id="hub-table">
          <thead><tr><th scope="col">Vulnerability</th><th scope="col">Severity</th><th scope="col" class="number">CVSS v3</th><th scope="col">Package</th><th scope="col">Version</th><th scope="col">Fixed in</th><th scope="col">Image</th></tr></thead>
          <tbody>{{#rows}}<tr><td>{{cve}}</td><td><span class="severity {{severityClass}}">{{severity}}</span></td><td class="number">{{score}}</td><td>{{package}}</td><td><code>{{version}}</code></td><td><code>{{fixed}}</code></td><td>{{repository}}@<code>{{digest}}</code></td></tr>{{/rows}}</tbody>
        </table>
        </div>
        {{/hasRows}}
        {{^hasRows}}<p class="empty" id="hub-empty">No vulnerabilities{{#cveFilter}} match{{/cveFilter}}.</p>{{/hasRows}}
        {{>pager}}
        {{/content}}
        {{/layout}}
        """#
}
