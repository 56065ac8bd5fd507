/// The templates of Administration → Registries and Replications.
extension PortalTemplates {
    /// Remote registries, with the new-registry form (and its connection test) and each registry's delete form.
    static let registries = #"""
        {{<layout}}
        {{$title}}Registries{{/title}}
        {{$content}}
        {{>admin-tabs}}
        <h1>Registries</h1>
        {{#problem}}<p class="problem" role="alert" id="problem">{{problem}}</p>{{/problem}}
        {{#tested}}<p class="{{#testedOK}}notice{{/testedOK}}{{^testedOK}}problem{{/testedOK}}" role="status" id="test-result">{{tested}}</p>{{/tested}}
        <details class="card" id="new-registry"{{#formOpen}} open{{/formOpen}}>
          <summary>New registry endpoint</summary>
          {{#form}}
          <form method="post" action="/harbor/registries" class="stack" id="registry-form">
            <input type="hidden" name="csrf_token" value="{{frame.csrf}}">
            <label for="registry-type">Provider</label>
            <select id="registry-type" name="type">{{#types}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/types}}</select>
            <label for="registry-name">Name</label>
            <input id="registry-name" name="name" maxlength="255" value="{{name}}" autocomplete="off">
            <label for="registry-url">Endpoint URL</label>
            <input id="registry-url" name="url" type="url" required maxlength="2048" value="{{url}}" placeholder="https://registry.example.org">
            <label for="registry-access-key">Access ID</label>
            <input id="registry-access-key" name="access_key" maxlength="255" value="{{accessKey}}" autocomplete="off">
            <label for="registry-access-secret">Access secret</label>
            <input id="registry-access-secret" name="access_secret" type="password" maxlength="4096" autocomplete="new-password">
            <label for="registry-description">Description</label>
            <input id="registry-description" name="description" maxlength="1024" value="{{description}}">
            <label class="check"><input type="checkbox" name="insecure" value="true" id="registry-insecure"{{#insecure}} checked{{/insecure}}> Do not verify the remote certificate</label>
            <div class="actions">
              <button type="submit" formaction="/harbor/registries/test" id="test-registry">Test connection</button>
              <button class="primary" type="submit" id="create-registry">Create</button>
            </div>
          </form>
          {{/form}}
        </details>
        {{#hasRows}}
        <div class="scroll">
        <table class="list" id="registries">
          <thead><tr><th scope="col">Name</th><th scope="col">Status</th><th scope="col">Endpoint URL</th><th scope="col">Provider</th><th scope="col">Verify remote certificate</th><th scope="col">Access ID</th><th scope="col">Description</th><th scope="col">Created</th><th scope="col"><span class="hidden">Actions</span></th></tr></thead>
          <tbody>
          {{#rows}}<tr id="registry-{{id}}"><td>{{name}}</td><td class="{{#healthy}}status-Success{{/healthy}}{{^healthy}}status-Error{{/healthy}}" id="registry-{{id}}-status">{{status}}</td><td class="wrap">{{url}}</td><td>{{type}}</td><td>{{verifies}}</td><td>{{accessKey}}</td><td class="wrap">{{description}}</td><td>{{created}}</td><td>
            <details class="confirm"><summary>Delete</summary>
              <form method="post" action="{{deleteAction}}"><input type="hidden" name="csrf_token" value="{{frame.csrf}}"><button type="submit" class="danger" id="delete-registry-{{id}}">Delete {{name}}</button></form>
            </details></td></tr>
          {{/rows}}
          </tbody>
        </table>
        </div>
        {{/hasRows}}
        {{^hasRows}}<p class="empty" id="empty">No registry endpoints. Add one to replicate images to or from it, or to make a proxy-cache project of it.</p>{{/hasRows}}
        {{/content}}
        {{/layout}}
        """#

    /// An execution's progress bars (`execution` of the page's values, or a row of a list).
    static let replicationProgress = #"""
        <div class="progress"><progress max="{{tasksTotal}}" value="{{tasksDone}}" aria-label="Tasks of execution {{id}}"></progress><span class="tasks-text">{{tasksText}}</span></div>
        <div class="progress"><progress max="{{bytesTotal}}" value="{{bytesDone}}" aria-label="Bytes of execution {{id}}"></progress><span class="bytes-text">{{bytesText}}</span></div>
        """#

    /// Replication rules, the new-rule form, and recent executions with live progress.
    static let replications = #"""
        {{<layout}}
        {{$title}}Replications{{/title}}
        {{$content}}
        {{>admin-tabs}}
        <h1>Replications</h1>
        {{#problem}}<p class="problem" role="alert" id="problem">{{problem}}</p>{{/problem}}
        <details class="card" id="new-rule"{{#formOpen}} open{{/formOpen}}>
          <summary>New replication rule</summary>
          {{#form}}
          {{^hasRegistries}}<p class="empty" id="no-registries">Add a registry endpoint first (<a href="/harbor/registries">Registries</a>): a rule copies to or from one.</p>{{/hasRegistries}}
          <form method="post" action="/harbor/replications" class="stack" id="rule-form">
            <input type="hidden" name="csrf_token" value="{{frame.csrf}}">
            <label for="rule-name">Name</label>
            <input id="rule-name" name="name" required maxlength="255" value="{{name}}" autocomplete="off">
            <label for="rule-description">Description</label>
            <input id="rule-description" name="description" maxlength="1024" value="{{description}}">
            <label for="rule-mode">Replication mode</label>
            <select id="rule-mode" name="mode">{{#modes}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/modes}}</select>
            <label for="rule-registry">Remote registry</label>
            <select id="rule-registry" name="registry">{{#registries}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/registries}}</select>
            <fieldset class="choices"><legend>Source resource filter</legend>
              <label for="rule-filter-name">Name</label>
              <input id="rule-filter-name" name="filter_name" maxlength="255" value="{{namePattern}}" placeholder="library/** (empty: every repository)">
              <label for="rule-filter-tag">Tag</label>
              <div class="actions"><select id="rule-filter-tag-decoration" name="tag_decoration" aria-label="Tag filter kind">{{#tagDecorations}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/tagDecorations}}</select>
              <input id="rule-filter-tag" name="filter_tag" maxlength="255" value="{{tagPattern}}" placeholder="v* (empty: every tag)"></div>
              <label for="rule-filter-resource">Resource</label>
              <select id="rule-filter-resource" name="filter_resource">{{#resources}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/resources}}</select>
            </fieldset>
            <label for="rule-namespace">Destination namespace</label>
            <input id="rule-namespace" name="dest_namespace" maxlength="255" value="{{destinationNamespace}}" placeholder="empty: the source's">
            <label for="rule-flattening">Flattening</label>
            <select id="rule-flattening" name="flattening">{{#flattening}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/flattening}}</select>
            <label for="rule-trigger">Trigger mode</label>
            <select id="rule-trigger" name="trigger">{{#triggers}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/triggers}}</select>
            <label for="rule-cron">Cron (scheduled: seconds minutes hours day-of-month month day-of-week)</label>
            <input id="rule-cron" name="cron" maxlength="128" value="{{cron}}" placeholder="0 0 * * * *">
            <label for="rule-speed">Bandwidth (KB/s, -1 for no limit)</label>
            <input id="rule-speed" name="speed" type="number" min="-1" max="1000000000" value="{{speed}}">
            <label class="check"><input type="checkbox" name="override" value="true" id="rule-override"{{#override}} checked{{/override}}> Override tags that name other content at the destination</label>
            <label class="check"><input type="checkbox" name="deletion" value="true" id="rule-deletion"{{#deletion}} checked{{/deletion}}> Delete remote resources when locally deleted (event-based)</label>
            <label class="check"><input type="checkbox" name="copy_by_chunk" value="true" id="rule-chunk"{{#copyByChunk}} checked{{/copyByChunk}}> Copy by chunk</label>
            <label class="check"><input type="checkbox" name="enabled" value="true" id="rule-enabled"{{#enabled}} checked{{/enabled}}> Enabled</label>
            <button class="primary" type="submit" id="create-rule">Save</button>
          </form>
          {{/form}}
        </details>
        {{#hasRules}}
        <div class="scroll">
        <table class="list" id="rules">
          <thead><tr><th scope="col">Name</th><th scope="col">Status</th><th scope="col">Mode</th><th scope="col">Remote registry</th><th scope="col">Source</th><th scope="col">Destination</th><th scope="col">Trigger</th><th scope="col"><span class="hidden">Actions</span></th></tr></thead>
          <tbody>
          {{#rules}}<tr id="rule-{{id}}"><td>{{name}}</td><td>{{state}}</td><td>{{mode}}</td><td>{{remote}}</td><td class="wrap">{{source}}</td><td class="wrap">{{destination}}</td><td>{{trigger}}</td><td><div class="actions">{{#enabled}}
            <form method="post" action="{{startAction}}" class="inline"><input type="hidden" name="csrf_token" value="{{frame.csrf}}"><button type="submit" id="replicate-{{id}}">Replicate</button></form>{{/enabled}}
            <details class="confirm"><summary>Delete</summary>
              <form method="post" action="{{deleteAction}}"><input type="hidden" name="csrf_token" value="{{frame.csrf}}"><button type="submit" class="danger" id="delete-rule-{{id}}">Delete {{name}}</button></form>
            </details></div></td></tr>
          {{/rules}}
          </tbody>
        </table>
        </div>
        {{/hasRules}}
        {{^hasRules}}<p class="empty" id="no-rules">No replication rules. A rule copies images to another registry (push) or from one (pull), by hand, on a schedule or on every push.</p>{{/hasRules}}
        <div id="executions-region"{{#live}} data-live="3"{{/live}}>
        <h2>Executions</h2>
        {{#hasExecutions}}
        <div class="scroll">
        <table class="list" id="executions">
          <thead><tr><th scope="col">Id</th><th scope="col">Rule</th><th scope="col">Status</th><th scope="col">Trigger</th><th scope="col">Progress</th><th scope="col">Started</th><th scope="col">Ended</th></tr></thead>
          <tbody>
          {{#executions}}<tr id="execution-{{id}}"><td><a href="{{href}}" id="execution-link-{{id}}">{{id}}</a></td><td>{{rule}}</td><td class="status-{{status}}" id="execution-{{id}}-status">{{status}}</td><td>{{trigger}}</td><td>{{>replication-progress}}</td><td>{{started}}</td><td>{{ended}}</td></tr>
          {{/executions}}
          </tbody>
        </table>
        </div>
        {{/hasExecutions}}
        {{^hasExecutions}}<p class="empty" id="no-executions">No replication has run yet.</p>{{/hasExecutions}}
        </div>
        {{/content}}
        {{/layout}}
        """#

    /// One execution: its progress, a stop button while it runs, and its tasks with their logs.
    static let replicationExecution = #"""
        {{<layout}}
        {{$title}}Replication execution {{execution.id}}{{/title}}
        {{$content}}
        {{>admin-tabs}}
        <p class="crumbs"><a href="/harbor/replications">Replications</a> / execution {{execution.id}}</p>
        {{#problem}}<p class="problem" role="alert" id="problem">{{problem}}</p>{{/problem}}
        <div id="execution-region"{{#live}} data-live="2"{{/live}}>
        <section class="card">
          {{#execution}}
          <h2>Execution {{id}} of {{rule}}</h2>
          <dl class="facts" id="execution-facts"><dt>Status</dt><dd class="status-{{status}}" id="execution-status">{{status}}</dd><dt>Trigger</dt><dd>{{trigger}}</dd>
            <dt>Started</dt><dd>{{started}}</dd><dt>Ended</dt><dd>{{ended}}</dd></dl>
          {{>replication-progress}}
          {{/execution}}
          {{#statusText}}<p class="wrap" id="execution-status-text">{{statusText}}</p>{{/statusText}}
          {{#canStop}}<form method="post" action="{{stopAction}}" class="inline"><input type="hidden" name="csrf_token" value="{{frame.csrf}}"><button type="submit" class="danger" id="stop-execution">Stop</button></form>{{/canStop}}
        </section>
        <h2>Tasks</h2>
        {{#hasTasks}}
        <div class="scroll">
        <table class="list" id="tasks">
          <thead><tr><th scope="col">Id</th><th scope="col">Operation</th><th scope="col">Resource</th><th scope="col">Source</th><th scope="col">Destination</th><th scope="col">Status</th><th scope="col">Bytes</th><th scope="col">Started</th><th scope="col">Ended</th><th scope="col">Log</th></tr></thead>
          <tbody>
          {{#tasks}}<tr id="task-{{id}}"><td>{{id}}</td><td>{{operation}}</td><td>{{resourceType}}</td><td class="wrap">{{source}}</td><td class="wrap">{{destination}}</td><td class="status-{{status}}" id="task-{{id}}-status">{{status}}</td>
            <td><progress max="{{bytesTotal}}" value="{{bytesDone}}" aria-label="Bytes of task {{id}}"></progress> <span id="task-{{id}}-bytes">{{bytesText}}</span></td><td>{{started}}</td><td>{{ended}}</td>
            <td class="wrap"><details><summary>Log</summary><pre id="task-{{id}}-log">{{log}}</pre></details></td></tr>
          {{/tasks}}
          </tbody>
        </table>
        </div>
        {{/hasTasks}}
        {{^hasTasks}}<p class="empty" id="no-tasks">No tasks: nothing matched the rule's filters, or the execution is still listing what to copy.</p>{{/hasTasks}}
        {{>pager}}
        </div>
        {{/content}}
        {{/layout}}
        """#

    /// Every project's storage usage against its limit, with a limit form per project.
    static let projectQuotas = #"""
        {{<layout}}
        {{$title}}Project quotas{{/title}}
        {{$content}}
        {{>admin-tabs}}
        <h1>Project quotas</h1>
        {{#problem}}<p class="problem" role="alert" id="problem">{{problem}}</p>{{/problem}}
        {{#hasRows}}
        <div class="scroll">
        <table class="list" id="quotas">
          <thead><tr><th scope="col">Project</th><th scope="col">Storage used</th><th scope="col">Limit (-1 for none)</th></tr></thead>
          <tbody>
          {{#rows}}<tr id="quota-{{id}}"><td><a href="/harbor/projects/{{project}}/summary">{{project}}</a></td>
            <td>{{#bar}}<div class="progress">{{#limited}}<progress max="{{limit}}" value="{{used}}" aria-label="Storage used by {{project}}"></progress>{{/limited}}<span id="quota-{{id}}-text">{{text}}</span></div>{{/bar}}</td>
            <td><form method="post" action="{{action}}" class="actions"><input type="hidden" name="csrf_token" value="{{frame.csrf}}">
              <label class="hidden" for="quota-{{id}}-amount">Limit of {{project}}</label>
              <input id="quota-{{id}}-amount" name="amount" value="{{amount}}" size="8" inputmode="decimal">
              <select name="unit" id="quota-{{id}}-unit" aria-label="Unit">{{#units}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/units}}</select>
              <button type="submit" id="quota-{{id}}-save">Save</button></form></td></tr>
          {{/rows}}
          </tbody>
        </table>
        </div>
        {{/hasRows}}
        {{^hasRows}}<p class="empty" id="empty">No projects.</p>{{/hasRows}}
        {{>pager}}
        {{/content}}
        {{/layout}}
        """#
}

extension PortalTemplates {
    /// Administration → Clean up: garbage collection now, its schedule, and its history.
    static let cleanUp = #"""
        {{<layout}}
        {{$title}}Clean up{{/title}}
        {{$content}}
        {{>admin-tabs}}
        <h1>Garbage collection</h1>
        {{#problem}}<p class="problem" role="alert" id="problem">{{problem}}</p>{{/problem}}
        <section class="card">
          <p>Removes what no repository uses any more — blobs and manifests of deleted images, and untagged artifacts when allowed —
          while pushes and pulls go on. Blobs uploaded or confirmed to a client within the grace period (two hours unless configured) are kept.</p>
          <form method="post" action="/harbor/gc/run" class="stack" id="gc-run-form">
            <input type="hidden" name="csrf_token" value="{{frame.csrf}}">
            <label><input type="checkbox" name="delete_untagged" id="gc-untagged"> Allow garbage collection on untagged artifacts</label>
            <label for="gc-workers">Workers</label>
            <select id="gc-workers" name="workers">{{#workers}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/workers}}</select>
            <div class="actions">
              <button type="submit" name="action" value="run" class="primary" id="gc-now">GC now</button>
              <button type="submit" name="action" value="dry-run" id="gc-dry-run">Dry run</button>
            </div>
          </form>
        </section>
        <section class="card">
          <h2>Schedule</h2>
          <form method="post" action="/harbor/gc/schedule" class="stack" id="gc-schedule-form">
            <input type="hidden" name="csrf_token" value="{{frame.csrf}}">
            <label for="gc-schedule-type">Schedule</label>
            <select id="gc-schedule-type" name="type">{{#scheduleTypes}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/scheduleTypes}}</select>
            <label for="gc-schedule-cron">Cron (for Custom: seconds minutes hours day month weekday)</label>
            <input id="gc-schedule-cron" name="cron" value="{{cron}}" placeholder="0 0 2 * * *">
            <label><input type="checkbox" name="delete_untagged" id="gc-schedule-untagged"{{#scheduleDeletesUntagged}} checked{{/scheduleDeletesUntagged}}> Allow garbage collection on untagged artifacts</label>
            <label for="gc-schedule-workers">Workers</label>
            <select id="gc-schedule-workers" name="workers">{{#scheduleWorkers}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/scheduleWorkers}}</select>
            {{#nextRun}}<p class="facts" id="gc-next-run">Next run: {{nextRun}}</p>{{/nextRun}}
            <button class="primary" type="submit" id="gc-save-schedule">Save schedule</button>
          </form>
        </section>
        <h2>History</h2>
        <div id="gc-history"{{#live}} data-live="2"{{/live}}>
        {{#hasRuns}}
        <div class="scroll">
        <table class="list" id="gc-runs">
          <thead><tr><th scope="col">Id</th><th scope="col">Trigger</th><th scope="col">Dry run</th><th scope="col">Untagged</th><th scope="col">Status</th><th scope="col">Details</th><th scope="col">Created</th><th scope="col">Updated</th><th scope="col">Log</th><th scope="col"></th></tr></thead>
          <tbody>
          {{#runs}}<tr id="gc-run-{{id}}"><td>{{id}}</td><td>{{trigger}} <span class="muted">({{requester}})</span></td><td>{{dryRun}}</td><td>{{untagged}}</td>
            <td class="status-{{status}}" id="gc-run-{{id}}-status">{{status}}</td><td class="wrap" id="gc-run-{{id}}-details">{{details}}</td><td>{{created}}</td><td>{{updated}}</td>
            <td><a href="{{logHref}}" target="_blank" rel="noopener" id="gc-run-{{id}}-log">Log</a></td>
            <td>{{#canStop}}<form method="post" action="{{stopAction}}" class="inline"><input type="hidden" name="csrf_token" value="{{frame.csrf}}"><button type="submit" class="danger" id="gc-run-{{id}}-stop">Stop</button></form>{{/canStop}}</td></tr>
          {{/runs}}
          </tbody>
        </table>
        </div>
        {{/hasRuns}}
        {{^hasRuns}}<p class="empty" id="gc-empty">No garbage collection has run yet.</p>{{/hasRuns}}
        {{>pager}}
        </div>
        {{/content}}
        {{/layout}}
        """#
}
