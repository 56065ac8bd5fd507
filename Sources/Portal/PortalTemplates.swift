/// The portal's Mustache templates, compiled into the binary (it stays one file to copy). Every page extends `layout`
/// and fills its `title` and `content` blocks; `{{…}}` escapes HTML, and no template uses the unescaped forms.
enum PortalTemplates {
    /// Every template by name.
    static let all: [String: String] = [
        "layout": layout, "pager": pager, "severity-bar": severityBar, "sign-in": signIn, "projects": projects, "error": error, "project-tabs": projectTabs,
        "repositories": repositories, "repository": repository, "artifact": artifact, "members": members,
        "robots": robots, "robot-created": robotCreated, "robot-fields": robotFields, "logs": logs, "log-table": logTable, "log-filters": logFilters,
        "account": account, "password-changed": passwordChanged,
        "summary": summary, "admin-tabs": adminTabs, "interrogation-services": interrogationServices, "security-hub": securityHubPage, "users": users, "system-logs": systemLogs, "jobs": jobs, "configuration": configuration,
        "webhook-form": webhookForm, "webhooks": webhooks, "webhook-policy": webhookPolicy, "webhook-execution": webhookExecution,
        "immutable-rules": immutableRules, "retention": retention, "retention-execution": retentionExecution, "labels": labels,
        "registries": registries, "replications": replications, "replication-progress": replicationProgress,
        "replication-execution": replicationExecution, "project-quotas": projectQuotas, "gc": cleanUp, "project-configuration": projectConfiguration, "about": about, "groups": groups, "system-robots": systemRobots, "storage": storage,
    ]

    /// The page frame: top bar with navigation and the account menu, the page, a footer.
    static let layout = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{$title}}Berth{{/title}} · Berth</title>
        <link rel="stylesheet" href="{{frame.stylesheet}}">
        <script src="{{frame.script}}" defer></script>
        </head>
        <body>
        <header class="bar">
          <a class="brand" href="/harbor/projects">Berth</a>
          <nav aria-label="Main">
            <a href="/harbor/projects">Projects</a>
            {{#frame.isAdmin}}<a href="/harbor/users" id="administration">Administration</a>{{/frame.isAdmin}}
          </nav>
          <div class="account">
            {{#frame.signedIn}}
            <a class="user" id="current-user" href="/harbor/account">{{frame.username}}</a>
            <form method="post" action="/harbor/sign-out" class="inline">
              <input type="hidden" name="csrf_token" value="{{frame.csrf}}">
              <button type="submit" class="link" id="sign-out">Sign out</button>
            </form>
            {{/frame.signedIn}}
            {{^frame.signedIn}}{{#frame.authEnabled}}<a href="/harbor/sign-in" id="sign-in-link">Sign in</a>{{/frame.authEnabled}}{{/frame.signedIn}}
          </div>
        </header>
        <main id="main">
        {{$content}}{{/content}}
        </main>
        <footer>Berth {{frame.version}} · <a href="/harbor/about" id="about-link">About</a></footer>
        </body>
        </html>
        """#

    /// The sign-in form.
    static let signIn = #"""
        {{<layout}}
        {{$title}}Sign in{{/title}}
        {{$content}}
        <section class="card narrow">
          <h1>Sign in to Berth</h1>
          {{#problem}}<p class="problem" role="alert" id="problem">{{problem}}</p>{{/problem}}
          <form method="post" action="/harbor/sign-in" class="stack">
            <input type="hidden" name="csrf_token" value="{{frame.csrf}}">
            <input type="hidden" name="next" value="{{next}}">
            <label for="principal">Username</label>
            <input id="principal" name="principal" autocomplete="username" required autofocus value="{{username}}">
            <label for="password">Password</label>
            <input id="password" name="password" type="password" autocomplete="current-password" required>
            <button type="submit" class="primary" id="sign-in">Sign in</button>
          </form>
        </section>
        {{/content}}
        {{/layout}}
        """#

    /// The projects the visitor may see, with search, paging and the "New project" form.
    static let projects = #"""
        {{<layout}}
        {{$title}}Projects{{/title}}
        {{$content}}
        <div class="heading">
          <h1>Projects</h1>
          <form class="search" method="get" action="/harbor/projects" role="search">
            <label for="filter" class="hidden">Filter projects by name</label>
            <input id="filter" name="name" value="{{filter}}" placeholder="Filter by name">
            <button type="submit">Filter</button>
          </form>
        </div>
        {{#problem}}<p class="problem" role="alert" id="problem">{{problem}}</p>{{/problem}}
        {{#canCreate}}
        <details class="card" id="new-project"{{#problem}} open{{/problem}}>
          <summary>New project</summary>
          <form method="post" action="/harbor/projects" class="stack">
            <input type="hidden" name="csrf_token" value="{{frame.csrf}}">
            <label for="project_name">Project name</label>
            <input id="project_name" name="project_name" required maxlength="255" value="{{draftName}}"
                   pattern="[a-z0-9]+([._\-][a-z0-9]+)*" title="lower-case letters and digits, joined by single . _ or -">
            <label class="check"><input type="checkbox" name="public" value="true" id="project_public"> Public: anyone may pull its images</label>
            {{#canProxy}}
            <label class="check"><input type="checkbox" name="proxy_cache" value="true" id="project_proxy"> Proxy cache: pulls are fetched from a remote registry and kept here; nobody pushes to it</label>
            <label for="project_registry">Registry the cache pulls from</label>
            <select id="project_registry" name="registry_id">{{#proxyRegistries}}<option value="{{value}}">{{label}}</option>{{/proxyRegistries}}</select>
            {{/canProxy}}
            <button class="primary" type="submit" id="create-project">Create</button>
          </form>
        </details>
        {{/canCreate}}
        {{#hasRows}}
        <div class="scroll">
        <table class="list" id="projects">
          <thead><tr><th scope="col">Project name</th><th scope="col">Access level</th><th scope="col">Role</th><th scope="col" class="number">Repositories</th><th scope="col">Creation time</th></tr></thead>
          <tbody>
          {{#rows}}<tr><td><a href="/harbor/projects/{{name}}/repositories">{{name}}</a></td><td>{{access}}</td><td>{{role}}</td><td class="number">{{repositories}}</td><td><time datetime="{{created}}">{{createdShown}}</time></td></tr>
          {{/rows}}
          </tbody>
        </table>
        </div>
        {{/hasRows}}
        {{^hasRows}}<p class="empty" id="empty">{{emptyMessage}}</p>{{/hasRows}}
        {{>pager}}
        {{/content}}
        {{/layout}}
        """#

    /// Links to the neighbouring pages of a list (`pager` of the page's values).
    /// A report's counts by severity as a stacked bar (a `SeverityBar`).
    static let severityBar = #"""
        <svg class="severity-bar" width="120" height="10" viewBox="0 0 120 10" role="img" aria-label="{{words}}">{{#segments}}<rect class="sev {{severity}}" x="{{x}}" y="0" width="{{width}}" height="10"><title>{{title}}</title></rect>{{/segments}}</svg>
        """#

    static let pager = #"""
        {{#pager}}<nav class="pager" aria-label="Pages">{{#previous}}<a href="{{previous}}" rel="prev">Previous</a>{{/previous}}<span>{{shown}}</span>{{#next}}<a href="{{next}}" rel="next">Next</a>{{/next}}</nav>{{/pager}}
        """#

    /// The heading and tab bar of a project's pages.
    static let projectTabs = #"""
        <p class="crumbs"><a href="/harbor/projects">Projects</a> / {{project}}</p>
        <h1>{{project}} <span class="badge">{{access}}</span></h1>
        <nav class="tabs" aria-label="Project">{{#tabs}}<a href="{{href}}"{{#active}} aria-current="page"{{/active}}>{{title}}</a>{{/tabs}}</nav>
        """#

    /// What went wrong, in words, with a way on.
    static let error = #"""
        {{<layout}}
        {{$title}}{{heading}}{{/title}}
        {{$content}}
        <section class="card narrow" id="error">
          <h1>{{heading}}</h1>
          <p>{{message}}</p>
          {{#signInHint}}<p><a href="/harbor/sign-in?next={{next}}">Sign in</a> to see more.</p>{{/signInHint}}
          <p><a href="/harbor/projects">Back to projects</a></p>
        </section>
        {{/content}}
        {{/layout}}
        """#
}
