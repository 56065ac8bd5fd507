/// The template of the label pages (Administration → Labels, a project's Labels tab).
extension PortalTemplates {
    /// The labels, the add form and each label's delete form for those who may change them.
    static let labels = #"""
        {{<layout}}
        {{$title}}{{#isProject}}{{project}} labels{{/isProject}}{{^isProject}}Labels{{/isProject}}{{/title}}
        {{$content}}
        {{#isProject}}{{>project-tabs}}{{/isProject}}
        {{^isProject}}{{>admin-tabs}}{{/isProject}}
        <h2>{{#isProject}}Project labels{{/isProject}}{{^isProject}}Global labels{{/isProject}}</h2>
        {{#problem}}<p class="problem" role="alert" id="problem">{{problem}}</p>{{/problem}}
        {{#canChange}}
        <details class="card" id="new-label"{{#problem}} open{{/problem}}>
          <summary>New label</summary>
          <form method="post" action="{{action}}" class="stack" id="label-form">
            <input type="hidden" name="csrf_token" value="{{frame.csrf}}">
            <label for="label-name">Name</label>
            <input id="label-name" name="name" required maxlength="128" value="{{name}}" autocomplete="off">
            <label for="label-description">Description</label>
            <input id="label-description" name="description" maxlength="1024" value="{{description}}">
            <label for="label-color">Colour (#RGB or #RRGGBB)</label>
            <input id="label-color" name="color" maxlength="7" value="{{color}}" placeholder="#2E7D32">
            <button class="primary" type="submit" id="add-label">Add</button>
          </form>
        </details>
        {{/canChange}}
        {{#hasRows}}
        <table class="list" id="labels">
          <thead><tr><th scope="col">Label</th><th scope="col">Description</th><th scope="col">Colour</th><th scope="col"><span class="hidden">Actions</span></th></tr></thead>
          <tbody>
          {{#rows}}<tr id="label-row-{{id}}"><td><span class="badge">{{name}}</span></td><td class="wrap">{{description}}</td><td><code>{{color}}</code></td><td>{{#canDelete}}
            <details class="confirm"><summary>Delete</summary>
              <form method="post" action="{{deleteAction}}"><input type="hidden" name="csrf_token" value="{{frame.csrf}}"><button type="submit" class="danger" id="delete-label-{{id}}">Delete {{name}}</button></form>
            </details>{{/canDelete}}</td></tr>
          {{/rows}}
          </tbody>
        </table>
        {{/hasRows}}
        {{^hasRows}}<p class="empty" id="empty">No labels. Labels mark artifacts (for example prod, qa-passed) so that people and tools can find them.</p>{{/hasRows}}
        {{/content}}
        {{/layout}}
        """#
}
