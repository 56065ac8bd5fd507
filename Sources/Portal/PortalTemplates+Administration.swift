/// The templates of the administration pages (system administrators).
extension PortalTemplates {
    /// The tab bar of the administration pages.
    static let adminTabs = #"""
        <p class="crumbs">Administration</p>
        <nav class="tabs" aria-label="Administration">{{#tabs}}<a href="{{href}}"{{#active}} aria-current="page"{{/active}}>{{title}}</a>{{/tabs}}</nav>
        """#

    /// Users: list, create, administrator flag, password reset, delete.
    static let users = #"""
        {{<layout}}
        {{$title}}Users{{/title}}
        {{$content}}
        {{>admin-tabs}}
        <div class="heading">
          <h1>Users</h1>
          <form class="search" method="get" action="/harbor/users" role="search">
            <label for="filter" class="hidden">Filter users by name</label>
            <input id="filter" name="username" value="{{filter}}" placeholder="Filter by user name">
            <button type="submit">Filter</button>
          </form>
        </div>
        {{#problem}}<p class="problem" role="alert" id="problem">{{problem}}</p>{{/problem}}
        {{#notice}}<p class="notice" role="status" id="notice">{{notice}}</p>{{/notice}}
        <details class="card" id="new-user"{{#formOpen}} open{{/formOpen}}>
          <summary>New user</summary>
          <form method="post" action="/harbor/users" class="stack">
            <input type="hidden" name="csrf_token" value="{{frame.csrf}}">
            <label for="user-name">User name</label>
            <input id="user-name" name="username" required maxlength="255" value="{{draftName}}" autocomplete="off">
            <label for="user-email">E-mail</label>
            <input id="user-email" name="email" type="email" maxlength="255" value="{{draftEmail}}" autocomplete="off">
            <label for="user-realname">Full name</label>
            <input id="user-realname" name="realname" maxlength="255" value="{{draftRealname}}" autocomplete="off">
            <label for="user-password">Password (8–128 characters with an upper-case letter, a lower-case letter and a digit)</label>
            <input id="user-password" name="password" type="password" required minlength="8" maxlength="128" autocomplete="new-password">
            <label for="user-confirm">Password again</label>
            <input id="user-confirm" name="confirm_password" type="password" required minlength="8" maxlength="128" autocomplete="new-password">
            <button class="primary" type="submit" id="create-user">Create</button>
          </form>
        </details>
        {{#hasRows}}
        <div class="scroll">
        <table class="list" id="users">
          <thead><tr><th scope="col">User name</th><th scope="col">Administrator</th><th scope="col">E-mail</th><th scope="col">Full name</th><th scope="col">Created</th><th scope="col"><span class="hidden">Actions</span></th></tr></thead>
          <tbody>
          {{#rows}}<tr id="user-{{id}}"><td>{{name}}</td><td>{{#isAdmin}}Yes{{/isAdmin}}{{^isAdmin}}No{{/isAdmin}}</td><td>{{email}}</td><td>{{realname}}</td><td><time datetime="{{created}}">{{createdShown}}</time></td><td>{{#canManage}}
            <div class="actions">
            <form method="post" action="{{adminAction}}" class="inline"><input type="hidden" name="csrf_token" value="{{frame.csrf}}">
              {{#isAdmin}}<input type="hidden" name="admin" value="false"><button type="submit" id="revoke-admin-{{id}}">Remove administrator</button>{{/isAdmin}}
              {{^isAdmin}}<input type="hidden" name="admin" value="true"><button type="submit" id="grant-admin-{{id}}">Make administrator</button>{{/isAdmin}}
            </form>
            <details class="confirm"><summary>Reset password</summary>
              <form method="post" action="{{passwordAction}}" class="stack"><input type="hidden" name="csrf_token" value="{{frame.csrf}}">
                <label for="reset-{{id}}">New password for {{name}}</label>
                <input id="reset-{{id}}" name="new_password" type="password" required minlength="8" maxlength="128" autocomplete="new-password">
                <label for="reset-confirm-{{id}}">Again</label>
                <input id="reset-confirm-{{id}}" name="confirm_password" type="password" required minlength="8" maxlength="128" autocomplete="new-password">
                <button type="submit" id="reset-password-{{id}}">Set password</button>
              </form>
            </details>
            <details class="confirm"><summary>Delete</summary>
              <form method="post" action="{{deleteAction}}"><input type="hidden" name="csrf_token" value="{{frame.csrf}}"><button type="submit" class="danger" id="delete-user-{{id}}">Delete {{name}}</button></form>
            </details>
            </div>{{/canManage}}</td></tr>
          {{/rows}}
          </tbody>
        </table>
        </div>
        {{/hasRows}}
        {{^hasRows}}<p class="empty" id="empty">No users match.</p>{{/hasRows}}
        {{>pager}}
        {{/content}}
        {{/layout}}
        """#

    /// The whole audit log.
    static let systemLogs = #"""
        {{<layout}}
        {{$title}}Audit log{{/title}}
        {{$content}}
        {{>admin-tabs}}
        <h1>Audit log</h1>
        {{>log-filters}}
        {{#hasRows}}
        {{>log-table}}
        {{/hasRows}}
        {{^hasRows}}<p class="empty" id="empty">Nothing logged matches.</p>{{/hasRows}}
        {{>pager}}
        {{/content}}
        {{/layout}}
        """#

    /// The job queue.
    static let jobs = #"""
        {{<layout}}
        {{$title}}Job queue{{/title}}
        {{$content}}
        {{>admin-tabs}}
        <h1>Job queue</h1>
        {{#problem}}<p class="problem" role="alert" id="problem">{{problem}}</p>{{/problem}}
        <div id="job-state"{{#live}} data-live="5"{{/live}}>
        <section class="card">
          <h2>Waiting</h2>
          {{#hasQueues}}
          <table class="list" id="queues">
            <thead><tr><th scope="col">Kind</th><th scope="col">Waiting jobs</th><th scope="col">Oldest due for</th></tr></thead>
            <tbody>{{#queues}}<tr><td>{{kind}}</td><td>{{waiting}}</td><td>{{latency}}</td></tr>{{/queues}}</tbody>
          </table>
          {{/hasQueues}}
          {{^hasQueues}}<p class="empty" id="no-queues">No job is waiting.</p>{{/hasQueues}}
        </section>
        <section class="card">
          <h2>Schedules</h2>
          {{#hasSchedules}}
          <table class="list" id="schedules">
            <thead><tr><th scope="col">Kind</th><th scope="col">When</th><th scope="col">Next run</th><th scope="col">State</th></tr></thead>
            <tbody>{{#schedules}}<tr><td>{{kind}}</td><td><code>{{cron}}</code></td><td><time datetime="{{nextRun}}">{{nextRunShown}}</time></td><td>{{state}}</td></tr>{{/schedules}}</tbody>
          </table>
          {{/hasSchedules}}
          {{^hasSchedules}}<p class="empty">No schedules.</p>{{/hasSchedules}}
        </section>
        <section class="card">
          <div class="heading">
            <h2>Jobs</h2>
            <form class="search" method="get" action="/harbor/job-service-dashboard" role="search">
              <label for="job-status" class="hidden">Show jobs by status</label>
              <select id="job-status" name="status">{{#statuses}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/statuses}}</select>
              <button type="submit">Show</button>
            </form>
          </div>
          {{#hasJobs}}
          <div class="scroll">
          <table class="list" id="jobs">
            <thead><tr><th scope="col">Id</th><th scope="col">Kind</th><th scope="col">Status</th><th scope="col">Attempts</th><th scope="col">Queued</th><th scope="col">Ended</th><th scope="col">Last error</th><th scope="col"><span class="hidden">Actions</span></th></tr></thead>
            <tbody>
            {{#jobs}}<tr><td>{{id}}</td><td>{{kind}}</td><td>{{status}}</td><td>{{attempts}}</td><td><time datetime="{{created}}">{{createdShown}}</time></td><td>{{ended}}</td><td class="wrap">{{problem}}</td><td>{{#canStop}}
              <form method="post" action="{{stopAction}}" class="inline"><input type="hidden" name="csrf_token" value="{{frame.csrf}}"><button type="submit" class="danger" id="stop-job-{{id}}">Stop</button></form>{{/canStop}}</td></tr>
            {{/jobs}}
            </tbody>
          </table>
          </div>
          {{/hasJobs}}
          {{^hasJobs}}<p class="empty" id="no-jobs">No jobs.</p>{{/hasJobs}}
          {{>pager}}
        </section>
        </div>
        {{/content}}
        {{/layout}}
        """#

    /// The configuration in force.
    static let configuration = #"""
        {{<layout}}
        {{$title}}Configuration{{/title}}
        {{$content}}
        {{>admin-tabs}}
        <h1>Configuration</h1>
        <p class="empty">Berth reads its configuration from its file, <code>BERTH_*</code> environment variables and flags at start; this page shows what is in force.</p>
        <section class="card">
          <h2>System</h2>
          <dl class="facts" id="general">{{#general}}<dt>{{name}}</dt><dd>{{value}}</dd>{{/general}}</dl>
        </section>
        <section class="card" id="ldap">
          <h2>LDAP</h2>
          {{#ldapConfigured}}
          <dl class="facts" id="ldap-settings">{{#ldap}}<dt>{{name}}</dt><dd>{{value}}</dd>{{/ldap}}</dl>
          <h3>Groups</h3>
          <dl class="facts" id="ldap-groups">{{#ldapGroups}}<dt>{{name}}</dt><dd>{{value}}</dd>{{/ldapGroups}}</dl>
          {{#testResult}}<p class="{{#testPassed}}notice{{/testPassed}}{{^testPassed}}problem{{/testPassed}}" role="status" id="ldap-test-result">{{testResult}}</p>{{/testResult}}
          <form method="post" action="/harbor/configs/ldap-test" class="inline">
            <input type="hidden" name="csrf_token" value="{{frame.csrf}}">
            <button type="submit" id="test-ldap">Test connection</button>
          </form>
          {{/ldapConfigured}}
          {{^ldapConfigured}}<p class="empty" id="no-ldap">LDAP is not configured: users are Berth's own (set <code>ldap.url</code> and restart to sign users in from a directory).</p>{{/ldapConfigured}}
        </section>
        {{/content}}
        {{/layout}}
        """#
}

/// The template of the user groups page.
extension PortalTemplates {
    /// User groups: list with filter, add by DN, rename, delete.
    static let groups = #"""
        {{<layout}}
        {{$title}}Groups{{/title}}
        {{$content}}
        {{>admin-tabs}}
        <div class="heading">
          <h1>Groups</h1>
          <form class="search" method="get" action="/harbor/groups" role="search">
            <label for="filter" class="hidden">Filter groups by name</label>
            <input id="filter" name="name" value="{{filter}}" placeholder="Filter by name">
            <button type="submit">Filter</button>
          </form>
        </div>
        {{#problem}}<p class="problem" role="alert" id="problem">{{problem}}</p>{{/problem}}
        {{#ldapOn}}
        <details class="card" id="new-group"{{#formOpen}} open{{/formOpen}}>
          <summary>New group</summary>
          <form method="post" action="/harbor/groups" class="stack">
            <input type="hidden" name="csrf_token" value="{{frame.csrf}}">
            <label for="group-dn">LDAP group DN</label>
            <input id="group-dn" name="ldap_group_dn" required maxlength="1024" value="{{draftDN}}" autocomplete="off" placeholder="cn=developers,ou=groups,dc=example,dc=org">
            <label for="group-name">Name (empty: the directory's name)</label>
            <input id="group-name" name="group_name" maxlength="255" value="{{draftName}}" autocomplete="off">
            <button class="primary" type="submit" id="create-group">Add</button>
          </form>
        </details>
        {{/ldapOn}}
        {{^ldapOn}}<p class="empty" id="groups-need-ldap">Groups come from an LDAP directory; Berth uses local users only, so there are none to add.</p>{{/ldapOn}}
        {{#hasRows}}
        <div class="scroll">
        <table class="list" id="groups">
          <thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">LDAP DN</th><th scope="col"><span class="hidden">Actions</span></th></tr></thead>
          <tbody>
          {{#rows}}<tr><td>{{name}}</td><td>LDAP</td><td class="wrap">{{dn}}</td><td><div class="actions">
            <details class="confirm"><summary>Rename</summary>
              <form method="post" action="{{renameAction}}" class="inline-form"><input type="hidden" name="csrf_token" value="{{frame.csrf}}">
                <label for="rename-{{id}}" class="hidden">New name for {{name}}</label>
                <input id="rename-{{id}}" name="group_name" required maxlength="255" value="{{name}}">
                <button type="submit" id="rename-group-{{id}}">Rename</button>
              </form>
            </details>
            <details class="confirm"><summary>Delete</summary>
              <form method="post" action="{{deleteAction}}"><input type="hidden" name="csrf_token" value="{{frame.csrf}}"><button type="submit" class="danger" id="delete-group-{{id}}">Delete {{name}} and its project memberships</button></form>
            </details></div></td></tr>
          {{/rows}}
          </tbody>
        </table>
        </div>
        {{/hasRows}}
        {{^hasRows}}<p class="empty" id="empty">No groups.</p>{{/hasRows}}
        {{>pager}}
        {{/content}}
        {{/layout}}
        """#
}

/// The template of the system robot accounts page.
extension PortalTemplates {
    /// System robots: list, create (projects and system actions), disable/enable, refresh secret, delete.
    static let systemRobots = #"""
        {{<layout}}
        {{$title}}Robot accounts{{/title}}
        {{$content}}
        {{>admin-tabs}}
        <h1>Robot accounts</h1>
        {{#problem}}<p class="problem" role="alert" id="problem">{{problem}}</p>{{/problem}}
        <details class="card" id="new-system-robot"{{#formOpen}} open{{/formOpen}}>
          <summary>New robot account</summary>
          <form method="post" action="/harbor/robot-accounts" class="stack">
            <input type="hidden" name="csrf_token" value="{{frame.csrf}}">
            {{>robot-fields}}
            <fieldset class="choices"><legend>Projects</legend>
              <label class="check"><input type="radio" name="coverage" value="all" id="robot-all-projects"{{#allProjects}} checked{{/allProjects}}> All projects, including future ones</label>
              <label class="check"><input type="radio" name="coverage" value="listed" id="robot-listed-projects"{{^allProjects}} checked{{/allProjects}}> Only these projects:</label>
              <label for="robot-projects" class="hidden">Project names, separated by commas</label>
              <input id="robot-projects" name="projects" maxlength="4096" value="{{draftProjects}}" placeholder="team-a, team-b">
            </fieldset>
            <fieldset class="choices"><legend>In those projects it may</legend>
            {{#projectChoices}}<label class="check"><input type="checkbox" name="access" value="{{value}}"{{#checked}} checked{{/checked}}> {{label}}</label>{{/projectChoices}}
            </fieldset>
            <fieldset class="choices"><legend>System-wide it may</legend>
            {{#systemChoices}}<label class="check"><input type="checkbox" name="system_access" value="{{value}}"{{#checked}} checked{{/checked}}> {{label}}</label>{{/systemChoices}}
            </fieldset>
            <button class="primary" type="submit" id="create-system-robot">Create</button>
          </form>
        </details>
        {{#hasRows}}
        <div class="scroll">
        <table class="list" id="system-robots">
          <thead><tr><th scope="col">Name</th><th scope="col">Status</th><th scope="col">Works in</th><th scope="col">Permissions</th><th scope="col">Expires</th><th scope="col">Description</th><th scope="col">Created</th><th scope="col"><span class="hidden">Actions</span></th></tr></thead>
          <tbody>
          {{#rows}}<tr><td>{{name}}</td><td>{{enabled}}</td><td>{{projects}}</td><td class="wrap">{{access}}</td><td>{{expires}}</td><td>{{description}}</td><td>{{created}}</td><td><div class="actions">
            <form method="post" action="{{stateAction}}" class="inline"><input type="hidden" name="csrf_token" value="{{frame.csrf}}">
              {{#disabled}}<input type="hidden" name="disable" value="false"><button type="submit" id="enable-robot-{{id}}">Enable</button>{{/disabled}}
              {{^disabled}}<input type="hidden" name="disable" value="true"><button type="submit" id="disable-robot-{{id}}">Disable</button>{{/disabled}}
            </form>
            <details class="confirm"><summary>Refresh secret</summary>
              <form method="post" action="{{secretAction}}"><input type="hidden" name="csrf_token" value="{{frame.csrf}}"><button type="submit" class="danger" id="refresh-robot-{{id}}">New secret for {{name}}</button></form>
            </details>
            <details class="confirm"><summary>Delete</summary>
              <form method="post" action="{{deleteAction}}"><input type="hidden" name="csrf_token" value="{{frame.csrf}}"><button type="submit" class="danger" id="delete-robot-{{id}}">Delete {{name}}</button></form>
            </details></div></td></tr>
          {{/rows}}
          </tbody>
        </table>
        </div>
        {{/hasRows}}
        {{^hasRows}}<p class="empty" id="empty">No system robot accounts. A system robot lets automation work across projects, for example a mirror that pulls from all of them.</p>{{/hasRows}}
        {{>pager}}
        {{/content}}
        {{/layout}}
        """#
}

/// The template of the storage page.
extension PortalTemplates {
    /// Storage in all, and the projects storing the most as a ranking chart with the same figures as a table.
    static let storage = #"""
        {{<layout}}
        {{$title}}Storage{{/title}}
        {{$content}}
        {{>admin-tabs}}
        <h1>Storage</h1>
        <section class="card">
          <dl class="facts" id="storage-facts"><dt>Stored in all</dt><dd id="storage-total">{{total}}</dd><dt>Projects storing images</dt><dd>{{storingProjects}}</dd></dl>
          <p class="empty">Each blob is counted once in all, and once in each project that holds it.</p>
        </section>
        {{#hasProjects}}
        <section class="card">
          <h2>Projects storing the most</h2>
          <figure class="chart" id="storage-chart">
            <svg viewBox="0 0 640 {{chart.height}}" role="img" aria-labelledby="storage-title storage-description" preserveAspectRatio="xMidYMid meet" style="max-height: none">
              <title id="storage-title">Storage by project</title>
              <desc id="storage-description">{{chart.description}}</desc>
              {{#chart.rows}}<text class="tick" x="{{chart.nameX}}" y="{{textY}}" text-anchor="end" dominant-baseline="middle">{{name}}</text>
              <rect class="bar" x="{{chart.barLeft}}" y="{{y}}" width="{{width}}" height="18"><title>{{title}}</title></rect>
              <text class="tick" x="{{valueX}}" y="{{textY}}" dominant-baseline="middle">{{value}}</text>{{/chart.rows}}
            </svg>
            <figcaption>The {{shownProjects}} largest of {{storingProjects}} projects.</figcaption>
          </figure>
          <table class="list" id="storage-table">
            <thead><tr><th scope="col">Project</th><th scope="col" class="number">Stored</th></tr></thead>
            <tbody>{{#rows}}<tr><td><a href="/harbor/projects/{{name}}/summary">{{name}}</a></td><td class="number">{{value}}</td></tr>{{/rows}}</tbody>
          </table>
        </section>
        {{/hasProjects}}
        {{^hasProjects}}<p class="empty" id="no-storage">No project stores anything yet.</p>{{/hasProjects}}
        {{/content}}
        {{/layout}}
        """#
}
