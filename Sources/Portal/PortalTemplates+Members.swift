/// The template of a project's members tab.
extension PortalTemplates {
    /// A project's members, with the add, role and remove forms for project admins.
    static let members = #"""
        {{<layout}}
        {{$title}}{{project}} members{{/title}}
        {{$content}}
        {{>project-tabs}}
        <div class="heading">
          <h2>Members</h2>
          <form class="search" method="get" action="/harbor/projects/{{project}}/members" role="search">
            <label for="filter" class="hidden">Filter members by name</label>
            <input id="filter" name="name" value="{{filter}}" placeholder="Filter by name">
            <button type="submit">Filter</button>
          </form>
        </div>
        {{#problem}}<p class="problem" role="alert" id="problem">{{problem}}</p>{{/problem}}
        {{#canAdd}}
        <details class="card" id="new-member"{{#problem}}{{^draftGroup}} open{{/draftGroup}}{{/problem}}>
          <summary>Add a user</summary>
          <form method="post" action="/harbor/projects/{{project}}/members" class="stack">
            <input type="hidden" name="csrf_token" value="{{frame.csrf}}">
            <label for="member-name">User name</label>
            <input id="member-name" name="username" required maxlength="255" value="{{draftName}}" autocomplete="off">
            <label for="member-role">Role</label>
            <select id="member-role" name="role_id">{{#roles}}<option value="{{id}}"{{#selected}} selected{{/selected}}>{{name}}</option>{{/roles}}</select>
            <button class="primary" type="submit" id="add-member">Add</button>
          </form>
        </details>
        {{#canAddGroups}}
        <details class="card" id="new-group-member"{{#draftGroup}} open{{/draftGroup}}>
          <summary>Add a group</summary>
          <form method="post" action="/harbor/projects/{{project}}/members" class="stack">
            <input type="hidden" name="csrf_token" value="{{frame.csrf}}">
            <input type="hidden" name="member_type" value="group">
            <label for="member-group">Group name, or the group's LDAP DN</label>
            <input id="member-group" name="group" required maxlength="1024" value="{{draftGroup}}" autocomplete="off" placeholder="cn=developers,ou=groups,dc=example,dc=org">
            <label for="member-group-role">Role</label>
            <select id="member-group-role" name="role_id">{{#roles}}<option value="{{id}}"{{#selected}} selected{{/selected}}>{{name}}</option>{{/roles}}</select>
            <button class="primary" type="submit" id="add-group-member">Add</button>
          </form>
          <p class="empty">Everyone in the group gets the role when they sign in.</p>
        </details>
        {{/canAddGroups}}
        {{/canAdd}}
        {{#hasRows}}
        <div class="scroll">
        <table class="list" id="members">
          <thead><tr><th scope="col">Name</th><th scope="col">Member type</th><th scope="col">Role</th><th scope="col"><span class="hidden">Actions</span></th></tr></thead>
          <tbody>
          {{#rows}}<tr><td>{{name}}</td><td>{{type}}</td><td>{{role}}</td><td>{{#canManage}}
            <form method="post" action="{{roleAction}}" class="inline-form">
              <input type="hidden" name="csrf_token" value="{{frame.csrf}}">
              <label for="role-{{id}}" class="hidden">Role of {{name}}</label>
              <select id="role-{{id}}" name="role_id">{{#roles}}<option value="{{id}}"{{#selected}} selected{{/selected}}>{{name}}</option>{{/roles}}</select>
              <button type="submit" id="change-role-{{id}}">Change role</button>
            </form>
            <details class="confirm"><summary>Remove</summary>
              <form method="post" action="{{deleteAction}}"><input type="hidden" name="csrf_token" value="{{frame.csrf}}"><button type="submit" class="danger" id="remove-{{id}}">Remove {{name}}</button></form>
            </details>{{/canManage}}</td></tr>
          {{/rows}}
          </tbody>
        </table>
        </div>
        {{/hasRows}}
        {{^hasRows}}<p class="empty" id="empty">No members found.</p>{{/hasRows}}
        {{>pager}}
        {{/content}}
        {{/layout}}
        """#
}
