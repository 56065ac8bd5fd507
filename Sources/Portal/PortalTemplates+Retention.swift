/// The templates of a project's tag retention tab.
extension PortalTemplates {
    /// The policy: its rules in words, the add-rule form, the schedule, run buttons and recent runs.
    static let retention = #"""
        {{<layout}}
        {{$title}}{{project}} tag retention{{/title}}
        {{$content}}
        {{>project-tabs}}
        <h2>Tag retention</h2>
        <p class="notice">In each repository a rule selects, the artifacts no enabled rule retains are deleted by a run, with all their tags. Artifacts with an immutable tag are always kept. Try a dry run first: it deletes nothing and lists what a run would delete.</p>
        {{#problem}}<p class="problem" role="alert" id="problem">{{problem}}</p>{{/problem}}
        {{#hasRules}}
        <table class="list" id="retention-rules">
          <thead><tr><th scope="col">#</th><th scope="col">Rule</th><th scope="col">Status</th><th scope="col"><span class="hidden">Actions</span></th></tr></thead>
          <tbody>
          {{#rules}}<tr id="retention-rule-{{number}}"><td>{{number}}</td><td class="wrap">{{text}}</td><td>{{state}}</td><td><div class="actions">{{#canChange}}
            <form method="post" action="{{stateAction}}" class="inline"><input type="hidden" name="csrf_token" value="{{frame.csrf}}">
              {{#enabled}}<input type="hidden" name="enabled" value="false"><button type="submit" id="disable-retention-rule-{{number}}">Disable</button>{{/enabled}}
              {{^enabled}}<input type="hidden" name="enabled" value="true"><button type="submit" id="enable-retention-rule-{{number}}">Enable</button>{{/enabled}}
            </form>
            <details class="confirm"><summary>Delete</summary>
              <form method="post" action="{{deleteAction}}"><input type="hidden" name="csrf_token" value="{{frame.csrf}}"><button type="submit" class="danger" id="delete-retention-rule-{{number}}">Delete rule {{number}}</button></form>
            </details>{{/canChange}}</div></td></tr>
          {{/rules}}
          </tbody>
        </table>
        {{/hasRules}}
        {{^hasRules}}<p class="empty" id="no-rules">No rules: nothing is deleted. Add a rule to keep, for example, the ten most recently pushed artifacts of every repository.</p>{{/hasRules}}
        {{#form}}
        <details class="card" id="new-retention-rule"{{#problem}} open{{/problem}}>
          <summary>Add rule</summary>
          <form method="post" action="{{action}}" class="stack" id="retention-rule-form">
            <input type="hidden" name="csrf_token" value="{{frame.csrf}}">
            <label for="retention-repository-decoration">For the repositories</label>
            <select id="retention-repository-decoration" name="repository_decoration">{{#repositoryDecorations}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/repositoryDecorations}}</select>
            <input id="retention-repositories" name="repositories" required maxlength="1024" value="{{repositories}}" aria-label="Repositories" autocomplete="off">
            <label for="retention-template">By artifact count or number of days</label>
            <select id="retention-template" name="template">{{#templates}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/templates}}</select>
            <input id="retention-count" name="count" inputmode="numeric" pattern="[0-9]*" maxlength="6" value="{{count}}" aria-label="Count or days">
            <label for="retention-tag-decoration">Tags</label>
            <select id="retention-tag-decoration" name="tag_decoration">{{#tagDecorations}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/tagDecorations}}</select>
            <input id="retention-tags" name="tags" required maxlength="1024" value="{{tags}}" aria-label="Tags" autocomplete="off">
            <label class="check"><input type="checkbox" name="untagged" value="true" id="retention-untagged"{{#untagged}} checked{{/untagged}}> Untagged artifacts count too</label>
            <button class="primary" type="submit" id="add-retention-rule">Add</button>
          </form>
        </details>
        {{/form}}
        <section class="card">
          <h3>Schedule</h3>
          <p id="retention-schedule">{{schedule}}</p>
          {{#canChange}}
          <form method="post" action="{{scheduleAction}}" class="inline" id="retention-schedule-form">
            <input type="hidden" name="csrf_token" value="{{frame.csrf}}">
            <select name="schedule" id="retention-schedule-type" aria-label="How often">{{#scheduleOptions}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/scheduleOptions}}</select>
            <input name="cron" id="retention-cron" value="{{cron}}" maxlength="100" placeholder="0 0 3 * * *" aria-label="Cron (custom)">
            <button type="submit" id="save-retention-schedule">Save</button>
          </form>
          {{/canChange}}
        </section>
        {{#canRun}}
        <div class="actions">
          <form method="post" action="{{runAction}}" class="inline"><input type="hidden" name="csrf_token" value="{{frame.csrf}}"><input type="hidden" name="dry_run" value="true"><button type="submit" id="retention-dry-run">Dry run</button></form>
          <details class="confirm"><summary>Run now</summary>
            <form method="post" action="{{runAction}}"><input type="hidden" name="csrf_token" value="{{frame.csrf}}"><input type="hidden" name="dry_run" value="false"><button type="submit" class="danger" id="retention-run">Delete what the rules do not retain</button></form>
          </details>
        </div>
        {{/canRun}}
        <div id="retention-runs-region"{{#live}} data-live="5"{{/live}}>
        {{#hasRuns}}
        <table class="list" id="retention-runs">
          <thead><tr><th scope="col">Run</th><th scope="col">Status</th><th scope="col">Kind</th><th scope="col">Trigger</th><th scope="col">Started</th><th scope="col">Ended</th></tr></thead>
          <tbody>
          {{#runs}}<tr><td><a href="{{href}}" id="retention-run-{{id}}">{{id}}</a></td><td>{{status}}</td><td>{{kind}}</td><td>{{trigger}}</td><td>{{started}}</td><td>{{ended}}</td></tr>
          {{/runs}}
          </tbody>
        </table>
        {{/hasRuns}}
        {{^hasRuns}}<p class="empty" id="no-runs">No runs yet.</p>{{/hasRuns}}
        </div>
        {{/content}}
        {{/layout}}
        """#

    /// One run: each repository with its counts and log.
    static let retentionExecution = #"""
        {{<layout}}
        {{$title}}Run {{id}} · {{project}} tag retention{{/title}}
        {{$content}}
        {{>project-tabs}}
        <p class="crumbs"><a href="/harbor/projects/{{project}}/tag-retention">Tag retention</a> / run {{id}}</p>
        <div id="retention-run-region"{{#live}} data-live="3"{{/live}}>
        <section class="card">
          <h2>{{kind}} {{id}}</h2>
          <dl class="facts"><dt>Status</dt><dd id="retention-run-status">{{status}}</dd><dt>Trigger</dt><dd>{{trigger}}</dd><dt>Started</dt><dd>{{started}}</dd><dt>Ended</dt><dd>{{ended}}</dd></dl>
          {{#canStop}}<form method="post" action="{{stopAction}}" class="inline"><input type="hidden" name="csrf_token" value="{{frame.csrf}}"><button type="submit" id="retention-stop">Stop</button></form>{{/canStop}}
        </section>
        {{#hasRows}}
        {{#rows}}
        <section class="card" id="retention-task-{{id}}">
          <h3>{{repository}}</h3>
          <p>{{status}} · {{retained}} of {{total}} artifacts retained</p>
          <pre class="log">{{log}}</pre>
        </section>
        {{/rows}}
        {{/hasRows}}
        {{^hasRows}}<p class="empty" id="no-tasks">No repository has been looked at yet.</p>{{/hasRows}}
        </div>
        {{/content}}
        {{/layout}}
        """#
}
