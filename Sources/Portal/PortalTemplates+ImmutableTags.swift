/// The template of a project's tag immutability tab.
extension PortalTemplates {
    /// A project's immutability rules, the add form and each rule's enable, disable and delete forms.
    static let immutableRules = #"""
        {{<layout}}
        {{$title}}{{project}} tag immutability{{/title}}
        {{$content}}
        {{>project-tabs}}
        <h2>Tag immutability</h2>
        <p class="notice">A tag an enabled rule matches cannot be pushed again as another image or deleted, and neither can the artifact it tags or its repository. Patterns: <code>*</code> (not across <code>/</code>), <code>**</code>, <code>?</code>, <code>{a,b}</code>, <code>[0-9]</code>; a comma-separated list means any of its entries.</p>
        {{#problem}}<p class="problem" role="alert" id="problem">{{problem}}</p>{{/problem}}
        {{#form}}
        {{^full}}
        <details class="card" id="new-rule"{{#problem}} open{{/problem}}>
          <summary>Add rule</summary>
          <form method="post" action="{{action}}" class="stack" id="rule-form">
            <input type="hidden" name="csrf_token" value="{{frame.csrf}}">
            <label for="rule-repository-decoration">For the repositories</label>
            <select id="rule-repository-decoration" name="repository_decoration">{{#repositoryDecorations}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/repositoryDecorations}}</select>
            <input id="rule-repositories" name="repositories" required maxlength="1024" value="{{repositories}}" aria-label="Repositories" autocomplete="off">
            <label for="rule-tag-decoration">Tags</label>
            <select id="rule-tag-decoration" name="tag_decoration">{{#tagDecorations}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/tagDecorations}}</select>
            <input id="rule-tags" name="tags" required maxlength="1024" value="{{tags}}" aria-label="Tags" placeholder="v*, release-*" autocomplete="off">
            <button class="primary" type="submit" id="add-rule">Add</button>
          </form>
        </details>
        {{/full}}
        {{#full}}<p class="empty" id="rules-full">The project has its 15 rules; delete one to add another.</p>{{/full}}
        {{/form}}
        {{#hasRows}}
        <div class="scroll">
        <table class="list" id="rules">
          <thead><tr><th scope="col">Repositories</th><th scope="col">Tags</th><th scope="col">Status</th><th scope="col"><span class="hidden">Actions</span></th></tr></thead>
          <tbody>
          {{#rows}}<tr id="rule-{{id}}"><td class="wrap">{{repositories}}</td><td class="wrap">{{tags}}</td><td>{{state}}</td><td><div class="actions">{{#canUpdate}}
            <form method="post" action="{{stateAction}}" class="inline"><input type="hidden" name="csrf_token" value="{{frame.csrf}}">
              {{#enabled}}<input type="hidden" name="enabled" value="false"><button type="submit" id="disable-rule-{{id}}">Disable</button>{{/enabled}}
              {{^enabled}}<input type="hidden" name="enabled" value="true"><button type="submit" id="enable-rule-{{id}}">Enable</button>{{/enabled}}
            </form>{{/canUpdate}}{{#canDelete}}
            <details class="confirm"><summary>Delete</summary>
              <form method="post" action="{{deleteAction}}"><input type="hidden" name="csrf_token" value="{{frame.csrf}}"><button type="submit" class="danger" id="delete-rule-{{id}}">Delete rule</button></form>
            </details>{{/canDelete}}</div></td></tr>
          {{/rows}}
          </tbody>
        </table>
        </div>
        {{/hasRows}}
        {{^hasRows}}<p class="empty" id="empty">No rules. Without one, any tag can be pushed again as another image or deleted by those allowed to push and delete.</p>{{/hasRows}}
        {{/content}}
        {{/layout}}
        """#
}
