/// The templates of a project's robot accounts and logs tabs.
extension PortalTemplates {
    /// A project's robot accounts.
    static let robots = #"""
        {{<layout}}
        {{$title}}{{project}} robot accounts{{/title}}
        {{$content}}
        {{>project-tabs}}
        <h2>Robot accounts</h2>
        {{#problem}}<p class="problem" role="alert" id="problem">{{problem}}</p>{{/problem}}
        {{#canCreate}}
        <details class="card" id="new-robot"{{#problem}} open{{/problem}}>
          <summary>New robot account</summary>
          <form method="post" action="/harbor/projects/{{project}}/robot-account" class="stack">
            <input type="hidden" name="csrf_token" value="{{frame.csrf}}">
            {{>robot-fields}}
            <fieldset class="choices"><legend>It may</legend>
            {{#choices}}<label class="check"><input type="checkbox" name="access" value="{{value}}"{{#checked}} checked{{/checked}}> {{label}}</label>{{/choices}}
            </fieldset>
            <button class="primary" type="submit" id="create-robot">Create</button>
          </form>
        </details>
        {{/canCreate}}
        {{#hasRows}}
        <div class="scroll">
        <table class="list" id="robots">
          <thead><tr><th scope="col">Name</th><th scope="col">Status</th><th scope="col">Permissions</th><th scope="col">Expires</th><th scope="col">Description</th><th scope="col">Created</th><th scope="col"><span class="hidden">Actions</span></th></tr></thead>
          <tbody>
          {{#rows}}<tr><td>{{name}}</td><td>{{enabled}}</td><td>{{access}}</td><td>{{expires}}</td><td>{{description}}</td><td>{{created}}</td><td><div class="actions">{{#canUpdate}}
            <form method="post" action="{{stateAction}}" class="inline"><input type="hidden" name="csrf_token" value="{{frame.csrf}}">
              {{#disabled}}<input type="hidden" name="disable" value="false"><button type="submit" id="enable-robot-{{id}}">Enable</button>{{/disabled}}
              {{^disabled}}<input type="hidden" name="disable" value="true"><button type="submit" id="disable-robot-{{id}}">Disable</button>{{/disabled}}
            </form>
            <details class="confirm"><summary>Edit</summary>
              <form method="post" action="{{accessAction}}" class="stack"><input type="hidden" name="csrf_token" value="{{frame.csrf}}">
                <label for="robot-{{id}}-description">Description</label>
                <input id="robot-{{id}}-description" name="description" maxlength="1024" value="{{description}}">
                <fieldset class="choices"><legend>{{name}} may</legend>
                {{#choices}}<label class="check"><input type="checkbox" name="access" value="{{value}}"{{#checked}} checked{{/checked}}> {{label}}</label>{{/choices}}
                </fieldset>
                <button type="submit" id="save-robot-{{id}}">Save</button>
              </form>
            </details>
            <details class="confirm"><summary>Refresh secret</summary>
              <form method="post" action="{{secretAction}}"><input type="hidden" name="csrf_token" value="{{frame.csrf}}"><button type="submit" class="danger" id="refresh-robot-{{id}}">New secret for {{name}}</button></form>
            </details>{{/canUpdate}}{{#canDelete}}
            <details class="confirm"><summary>Delete</summary>
              <form method="post" action="{{deleteAction}}"><input type="hidden" name="csrf_token" value="{{frame.csrf}}"><button type="submit" class="danger" id="delete-robot-{{id}}">Delete {{name}}</button></form>
            </details>{{/canDelete}}</div></td></tr>
          {{/rows}}
          </tbody>
        </table>
        </div>
        {{/hasRows}}
        {{^hasRows}}<p class="empty" id="empty">No robot accounts. A robot account lets a pipeline push or pull without a person's password.</p>{{/hasRows}}
        {{>pager}}
        {{/content}}
        {{/layout}}
        """#

    /// A new robot's name, description and expiry (`draftName`, `draftDescription`, `draftDuration`), for project
    /// and system robots alike.
    static let robotFields = #"""
            <label for="robot-name">Name</label>
            <input id="robot-name" name="name" required maxlength="255" value="{{draftName}}" autocomplete="off"
                   pattern="[a-z0-9]+([._\-][a-z0-9]+)*" title="lower-case letters and digits, joined by single . _ or -">
            <label for="robot-description">Description</label>
            <input id="robot-description" name="description" maxlength="1024" value="{{draftDescription}}">
            <label for="robot-duration">Expires after (days, -1 for never)</label>
            <input id="robot-duration" name="duration" inputmode="numeric" maxlength="6" value="{{draftDuration}}">
        """#

    /// A new robot's secret, shown this once.
    static let robotCreated = #"""
        {{<layout}}
        {{$title}}{{heading}}{{/title}}
        {{$content}}
        <section class="card narrow wide" id="robot-created">
          <h1>{{heading}}</h1>
          <p>Copy the secret now: Berth keeps only a hash of it and cannot show it again.</p>
          <dl class="facts"><dt>Name</dt><dd><code id="robot-name-created">{{name}}</code><button type="button" class="copy" hidden data-copy="{{name}}" data-target="robot-name-created" id="copy-robot-name">Copy</button></dd>
            <dt>Secret</dt><dd><code id="robot-secret">{{secret}}</code><button type="button" class="copy" hidden data-copy="{{secret}}" data-target="robot-secret" id="copy-robot-secret">Copy</button></dd></dl>
          <p>Log in with it, for example:</p>
          <pre><code>{{login}}</code></pre>
          <p><a href="{{back}}" id="robots-back">Back to robot accounts</a></p>
        </section>
        {{/content}}
        {{/layout}}
        """#

    /// A project's audit log.
    static let logs = #"""
        {{<layout}}
        {{$title}}{{project}} logs{{/title}}
        {{$content}}
        {{>project-tabs}}
        <h2>Logs</h2>
        {{>log-filters}}
        {{#hasRows}}
        {{>log-table}}
        {{/hasRows}}
        {{^hasRows}}<p class="empty" id="empty">Nothing logged matches.</p>{{/hasRows}}
        {{>pager}}
        {{/content}}
        {{/layout}}
        """#

    /// The audit log filters (user name, operation, resource type) of a log page; `filterAction` is the page.
    static let logFilters = #"""
        <form class="search filters" method="get" action="{{filterAction}}" role="search">
          <label for="log-user">User name</label><input id="log-user" name="username" value="{{username}}">
          <label for="log-operation">Operation</label><input id="log-operation" name="operation" value="{{operation}}" placeholder="create, delete, pull, …">
          <label for="log-type">Resource type</label><input id="log-type" name="resource_type" value="{{resourceType}}" placeholder="artifact, project, user, …">
          <button type="submit" id="filter-logs">Filter</button>
        </form>
        """#

    /// Audit log entries as a table (the project's log and the whole log).
    static let logTable = #"""
        <div class="scroll">
        <table class="list" id="logs">
          <thead><tr><th scope="col">User name</th><th scope="col">Resource</th><th scope="col">Resource type</th><th scope="col">Operation</th><th scope="col">Result</th><th scope="col">Time</th></tr></thead>
          <tbody>
          {{#rows}}<tr><td>{{username}}</td><td>{{resource}}</td><td>{{resourceType}}</td><td>{{operation}}</td><td>{{result}}</td><td><time datetime="{{time}}">{{timeShown}}</time></td></tr>
          {{/rows}}
          </tbody>
        </table>
        </div>
        """#
}

/// The template of a project's configuration tab.
extension PortalTemplates {
    /// Whether the project is public, and deleting it; forms only for project admins.
    static let projectConfiguration = #"""
        {{<layout}}
        {{$title}}{{project}} configuration{{/title}}
        {{$content}}
        {{>project-tabs}}
        <h2>Configuration</h2>
        {{#problem}}<p class="problem" role="alert" id="problem">{{problem}}</p>{{/problem}}
        {{#saved}}<p class="notice" role="status" id="saved">Saved.</p>{{/saved}}
        <section class="card">
          <h3>Project registry</h3>
          <dl class="facts"><dt>Owner</dt><dd>{{owner}}</dd><dt>Created</dt><dd>{{created}}</dd></dl>
          {{#canUpdate}}
          <form method="post" action="/harbor/projects/{{project}}/configs" class="stack">
            <input type="hidden" name="csrf_token" value="{{frame.csrf}}">
            <label class="check"><input type="checkbox" name="public" value="true" id="config-public"{{#isPublic}} checked{{/isPublic}}> Public: anyone, signed in or not, may pull its images and see its repositories</label>
            <button class="primary" type="submit" id="save-configuration">Save</button>
          </form>
          {{/canUpdate}}
          {{^canUpdate}}<p id="config-access">{{#isPublic}}Public: anyone may pull its images.{{/isPublic}}{{^isPublic}}Private: only members may pull its images.{{/isPublic}}</p>{{/canUpdate}}
        </section>
        <section class="card" id="scanning-settings">
          <h3>Vulnerability scanning</h3>
          {{#canUpdate}}{{#scanning}}
          <form method="post" action="/harbor/projects/{{project}}/configs" class="stack">
            <input type="hidden" name="csrf_token" value="{{frame.csrf}}">
            <input type="hidden" name="section" value="scanning">
            <label class="check"><input type="checkbox" name="auto_scan" value="true" id="config-auto-scan"{{#autoScan}} checked{{/autoScan}}> Scan images for vulnerabilities as they are pushed</label>
            <label class="check"><input type="checkbox" name="auto_sbom_generation" value="true" id="config-auto-sbom"{{#autoSBOM}} checked{{/autoSBOM}}> Generate an SBOM for images as they are pushed</label>
            <label class="check"><input type="checkbox" name="prevent_vul" value="true" id="config-prevent-vul"{{#preventVulnerable}} checked{{/preventVulnerable}}> Prevent vulnerable images from being pulled (and images not scanned yet)</label>
            <label for="config-severity">…with vulnerabilities of this severity or higher</label>
            <select id="config-severity" name="severity">{{#severities}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/severities}}</select>
            <label class="check"><input type="checkbox" name="reuse_sys_cve_allowlist" value="true" id="config-reuse-allowlist"{{#reuseSystemAllowlist}} checked{{/reuseSystemAllowlist}}> Use the system CVE allowlist instead of the project's</label>
            <label for="config-allowlist">Project CVE allowlist (ids separated by commas, spaces or lines)</label>
            <textarea id="config-allowlist" name="allowlist" rows="4" placeholder="CVE-2024-0727">{{allowlist}}</textarea>
            <label for="config-allowlist-expires">Allowlist expires on (empty: never)</label>
            <input type="date" id="config-allowlist-expires" name="allowlist_expires" value="{{allowlistExpires}}">
            <button class="primary" type="submit" id="save-scanning">Save</button>
          </form>
          {{/scanning}}{{/canUpdate}}
          {{^canUpdate}}{{#scanning}}
          <dl class="facts" id="scanning-facts">
            <dt>Scan on push</dt><dd>{{#autoScan}}on{{/autoScan}}{{^autoScan}}off{{/autoScan}}</dd>
            <dt>Prevent vulnerable pulls</dt><dd>{{#preventVulnerable}}{{severityShown}} and higher{{/preventVulnerable}}{{^preventVulnerable}}off{{/preventVulnerable}}</dd>
            <dt>CVE allowlist</dt><dd>{{#reuseSystemAllowlist}}the system's{{/reuseSystemAllowlist}}{{^reuseSystemAllowlist}}{{#hasAllowlist}}{{allowlistShown}}{{/hasAllowlist}}{{^hasAllowlist}}none{{/hasAllowlist}}{{/reuseSystemAllowlist}}</dd>
          </dl>
          {{/scanning}}{{/canUpdate}}
        </section>
        {{#canDelete}}
        <section class="card" id="delete-project">
          <h3>Delete the project</h3>
          {{#deletable}}
          <details class="confirm"><summary>Delete {{project}}</summary>
            <form method="post" action="/harbor/projects/{{project}}/delete"><input type="hidden" name="csrf_token" value="{{frame.csrf}}"><button type="submit" class="danger" id="delete-project-button">Delete {{project}} and its members, robot accounts and webhooks</button></form>
          </details>
          {{/deletable}}
          {{^deletable}}<p class="empty" id="not-deletable">A project can be deleted once it holds no repositories.</p>{{/deletable}}
        </section>
        {{/canDelete}}
        {{/content}}
        {{/layout}}
        """#
}
