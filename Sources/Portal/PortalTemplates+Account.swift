/// The templates of the account pages.
extension PortalTemplates {
    /// The signed-in user's page: profile, password, the registry's CA.
    static let account = #"""
        {{<layout}}
        {{$title}}{{username}}{{/title}}
        {{$content}}
        <h1 id="account-name">{{username}}{{#isAdmin}} <span class="badge">System admin</span>{{/isAdmin}}</h1>
        <section class="card">
          <h2>Profile</h2>
          {{#profileProblem}}<p class="problem" role="alert" id="profile-problem">{{profileProblem}}</p>{{/profileProblem}}
          {{#profileSaved}}<p class="notice" role="status" id="profile-saved">Profile saved.</p>{{/profileSaved}}
          <dl class="facts" id="profile"><dt>User name</dt><dd>{{username}}</dd><dt>E-mail</dt><dd>{{email}}</dd><dt>Full name</dt><dd>{{realname}}</dd></dl>
          <details id="edit-profile"{{#profileProblem}} open{{/profileProblem}}>
            <summary>Edit profile</summary>
            <form method="post" action="/harbor/account/profile" class="stack">
              <input type="hidden" name="csrf_token" value="{{frame.csrf}}">
              <label for="profile-email">E-mail</label>
              <input id="profile-email" name="email" type="email" maxlength="255" value="{{draftEmail}}" autocomplete="email">
              <label for="profile-realname">Full name</label>
              <input id="profile-realname" name="realname" maxlength="255" value="{{draftRealname}}" autocomplete="name">
              <button class="primary" type="submit" id="save-profile">Save</button>
            </form>
          </details>
        </section>
        <section class="card" id="password">
          <h2>Change password</h2>
          {{#problem}}<p class="problem" role="alert" id="problem">{{problem}}</p>{{/problem}}
          <form method="post" action="/harbor/account/password" class="stack">
            <input type="hidden" name="csrf_token" value="{{frame.csrf}}">
            <label for="old-password">Current password</label>
            <input id="old-password" name="old_password" type="password" autocomplete="current-password" required>
            <label for="new-password">New password</label>
            <input id="new-password" name="new_password" type="password" autocomplete="new-password" required minlength="8" maxlength="128">
            <label for="confirm-password">New password again</label>
            <input id="confirm-password" name="confirm_password" type="password" autocomplete="new-password" required minlength="8" maxlength="128">
            <button class="primary" type="submit" id="change-password">Change password</button>
          </form>
          <p class="empty">Changing it signs you out everywhere. Users from LDAP change their password in the directory.</p>
        </section>
        <section class="card" id="registry-ca">
          <h2>Trusting this registry</h2>
          {{#hasCA}}
          <p>This registry's certificates come from its own CA. <a href="/api/v2.0/systeminfo/getcert" id="ca-download" download="ca.crt">Download the CA certificate</a>,
             or let each node install it after checking its fingerprint:</p>
          <pre><code>{{trustCommand}}</code></pre>
          {{/hasCA}}
          {{^hasCA}}<p id="no-ca">This registry does not hand out a CA certificate: it serves plain HTTP or a certificate your machines already trust.</p>{{/hasCA}}
          <p>Registry address for image references: <code id="registry-address">{{registry}}</code></p>
        </section>
        {{/content}}
        {{/layout}}
        """#

    /// After a password change.
    static let passwordChanged = #"""
        {{<layout}}
        {{$title}}Password changed{{/title}}
        {{$content}}
        <section class="card narrow" id="password-changed">
          <h1>Password changed</h1>
          <p>Every session of yours has ended, this one too. Sign in with the new password.</p>
          <p><a href="/harbor/sign-in" id="sign-in-again">Sign in</a></p>
        </section>
        {{/content}}
        {{/layout}}
        """#
}

/// The template of the About page.
extension PortalTemplates {
    /// Version and system facts, and the CA certificate when Berth hands one out.
    static let about = #"""
        {{<layout}}
        {{$title}}About{{/title}}
        {{$content}}
        <h1>About Berth</h1>
        <section class="card">
          <p>Berth is an OCI registry with projects, roles, robot accounts, webhooks and an audit log, in one server.
             Its management API follows Harbor's (<code>/api/v2.0</code>), so Harbor's clients work with it.</p>
          <dl class="facts" id="about-facts">{{#facts}}<dt>{{name}}</dt><dd>{{value}}</dd>{{/facts}}</dl>
        </section>
        {{#hasCA}}
        <section class="card" id="about-ca">
          <h2>The registry's CA</h2>
          <p><a href="/api/v2.0/systeminfo/getcert" id="about-ca-download" download="ca.crt">Download the CA certificate</a>
             (fingerprint <code id="about-fingerprint">{{fingerprint}}</code>), or install it on a node after checking the fingerprint:</p>
          <pre><code>{{trustCommand}}</code></pre>
        </section>
        {{/hasCA}}
        {{/content}}
        {{/layout}}
        """#
}
