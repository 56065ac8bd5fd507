/// The templates of a project's webhooks tab.
extension PortalTemplates {
    /// The policy form (`form` of the page's values), for a new policy and for editing one.
    static let webhookForm = #"""
        {{#form}}
        <form method="post" action="{{action}}" class="stack" id="webhook-form">
          <input type="hidden" name="csrf_token" value="{{frame.csrf}}">
          <label for="webhook-name">Name</label>
          <input id="webhook-name" name="name" required maxlength="256" value="{{name}}" autocomplete="off">
          <label for="webhook-description">Description</label>
          <input id="webhook-description" name="description" maxlength="1024" value="{{description}}">
          {{#editsTarget}}
          <label for="webhook-type">Notify type</label>
          <select id="webhook-type" name="notify_type">{{#notifyTypes}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/notifyTypes}}</select>
          <label for="webhook-address">Endpoint URL</label>
          <input id="webhook-address" name="address" type="url" required maxlength="2048" value="{{address}}" placeholder="https://hooks.example.org/registry">
          <label for="webhook-payload">Payload format (HTTP)</label>
          <select id="webhook-payload" name="payload_format">{{#payloadFormats}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/payloadFormats}}</select>
          <label for="webhook-auth">Auth header (sent as <code>Authorization</code>)</label>
          <input id="webhook-auth" name="auth_header" maxlength="4096" value="{{authHeader}}" autocomplete="off">
          <label class="check"><input type="checkbox" name="skip_cert_verify" value="true" id="webhook-skip-verify"{{#skipCertVerify}} checked{{/skipCertVerify}}> Skip certificate verification</label>
          {{/editsTarget}}
          {{^editsTarget}}<p class="empty" id="webhook-targets-kept">This policy sends to {{targetCount}} targets; the form changes its name, description, events and status, and keeps the targets (change them through the API).</p>{{/editsTarget}}
          <fieldset class="choices"><legend>Notify on</legend>
          {{#events}}<label class="check"><input type="checkbox" name="event_type" value="{{value}}"{{#checked}} checked{{/checked}}> {{label}}</label>{{/events}}
          </fieldset>
          <label class="check"><input type="checkbox" name="enabled" value="true" id="webhook-enabled"{{#enabled}} checked{{/enabled}}> Enabled</label>
          <button class="primary" type="submit" id="save-webhook">{{#isNew}}Add{{/isNew}}{{^isNew}}Save{{/isNew}}</button>
        </form>
        {{/form}}
        """#

    /// A project's webhook policies, with the new-policy form and each policy's enable and delete forms for project admins.
    static let webhooks = #"""
        {{<layout}}
        {{$title}}{{project}} webhooks{{/title}}
        {{$content}}
        {{>project-tabs}}
        <h2>Webhooks</h2>
        {{#problem}}<p class="problem" role="alert" id="problem">{{problem}}</p>{{/problem}}
        {{#form}}
        <details class="card" id="new-webhook"{{#problem}} open{{/problem}}>
          <summary>New webhook</summary>
          {{>webhook-form}}
        </details>
        {{/form}}
        {{#hasRows}}
        <div class="scroll">
        <table class="list" id="webhooks">
          <thead><tr><th scope="col">Name</th><th scope="col">Status</th><th scope="col">Notify type</th><th scope="col">Target</th><th scope="col">Events</th><th scope="col">Last triggered</th><th scope="col">Created</th><th scope="col"><span class="hidden">Actions</span></th></tr></thead>
          <tbody>
          {{#rows}}<tr><td><a href="{{href}}" id="webhook-{{id}}">{{name}}</a></td><td>{{state}}</td><td>{{notifyType}}</td><td class="wrap">{{address}}</td><td class="wrap">{{events}}</td><td>{{lastTriggered}}</td><td>{{created}}</td><td><div class="actions">{{#canUpdate}}
            <form method="post" action="{{stateAction}}" class="inline"><input type="hidden" name="csrf_token" value="{{frame.csrf}}">
              {{#enabled}}<input type="hidden" name="enabled" value="false"><button type="submit" id="disable-webhook-{{id}}">Disable</button>{{/enabled}}
              {{^enabled}}<input type="hidden" name="enabled" value="true"><button type="submit" id="enable-webhook-{{id}}">Enable</button>{{/enabled}}
            </form>{{/canUpdate}}{{#canDelete}}
            <details class="confirm"><summary>Delete</summary>
              <form method="post" action="{{deleteAction}}"><input type="hidden" name="csrf_token" value="{{frame.csrf}}"><button type="submit" class="danger" id="delete-webhook-{{id}}">Delete {{name}}</button></form>
            </details>{{/canDelete}}</div></td></tr>
          {{/rows}}
          </tbody>
        </table>
        </div>
        {{/hasRows}}
        {{^hasRows}}<p class="empty" id="empty">No webhooks. A webhook tells another system (a CI pipeline, a chat channel, a deployment tool) when images are pushed, pulled, deleted or scanned.</p>{{/hasRows}}
        {{>pager}}
        {{/content}}
        {{/layout}}
        """#

    /// One policy: its settings, its executions (one per event) and, for project admins, the edit form.
    static let webhookPolicy = #"""
        {{<layout}}
        {{$title}}{{name}} · {{project}} webhooks{{/title}}
        {{$content}}
        {{>project-tabs}}
        <p class="crumbs"><a href="/harbor/projects/{{project}}/webhook">Webhooks</a> / {{name}}</p>
        {{#problem}}<p class="problem" role="alert" id="problem">{{problem}}</p>{{/problem}}
        <section class="card">
          <h2 id="webhook-name-heading">{{name}}</h2>
          <dl class="facts" id="webhook-facts"><dt>Status</dt><dd id="webhook-state">{{state}}</dd><dt>Description</dt><dd>{{description}}</dd>
            <dt>Notify type</dt><dd>{{notifyType}}</dd><dt>Target</dt><dd class="wrap" id="webhook-target">{{address}}</dd><dt>Payload format</dt><dd>{{payloadFormat}}</dd>
            <dt>Events</dt><dd id="webhook-events">{{events}}</dd><dt>Created by</dt><dd>{{creator}}</dd><dt>Created</dt><dd>{{created}}</dd></dl>
        </section>
        {{#form}}
        <details class="card" id="edit-webhook"{{#problem}} open{{/problem}}>
          <summary>Edit</summary>
          {{>webhook-form}}
        </details>
        {{/form}}
        <div id="executions-region"{{#live}} data-live="5"{{/live}}>
        <h2>Executions</h2>
        {{#hasRows}}
        <div class="scroll">
        <table class="list" id="executions">
          <thead><tr><th scope="col">Id</th><th scope="col">Event</th><th scope="col">Status</th><th scope="col">Delivered</th><th scope="col">Started</th><th scope="col">Ended</th></tr></thead>
          <tbody>
          {{#rows}}<tr><td><a href="{{href}}" id="execution-{{id}}">{{id}}</a></td><td>{{event}}</td><td class="status-{{status}}">{{status}}</td><td>{{delivered}}</td><td>{{started}}</td><td>{{ended}}</td></tr>
          {{/rows}}
          </tbody>
        </table>
        </div>
        {{/hasRows}}
        {{^hasRows}}<p class="empty" id="no-executions">This policy has not fired yet. It fires when one of its events happens in this project.</p>{{/hasRows}}
        {{>pager}}
        </div>
        {{/content}}
        {{/layout}}
        """#

    /// An execution's deliveries, one per target, with each attempt's log.
    static let webhookExecution = #"""
        {{<layout}}
        {{$title}}Execution {{execution}} · {{policy}}{{/title}}
        {{$content}}
        {{>project-tabs}}
        <p class="crumbs"><a href="/harbor/projects/{{project}}/webhook">Webhooks</a> / <a href="{{policyPath}}">{{policy}}</a> / execution {{execution}}</p>
        <h2>Deliveries</h2>
        {{#hasRows}}
        <div class="scroll">
        <table class="list" id="tasks">
          <thead><tr><th scope="col">Target</th><th scope="col">Status</th><th scope="col">Attempts</th><th scope="col">Answer</th><th scope="col">Started</th><th scope="col">Ended</th><th scope="col">Log</th></tr></thead>
          <tbody>
          {{#rows}}<tr><td class="wrap">{{address}}</td><td class="status-{{status}}" id="task-{{id}}-status">{{status}}</td><td>{{attempts}}</td><td id="task-{{id}}-code">{{statusCode}}</td><td>{{started}}</td><td>{{ended}}</td>
            <td class="wrap"><details><summary>{{message}}</summary><pre id="task-{{id}}-log">{{log}}</pre></details></td></tr>
          {{/rows}}
          </tbody>
        </table>
        </div>
        {{/hasRows}}
        {{^hasRows}}<p class="empty">No deliveries.</p>{{/hasRows}}
        {{/content}}
        {{/layout}}
        """#
}
