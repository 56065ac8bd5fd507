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
          <dl class="facts" id="profile"><dt>User name</dt><dd>{{username}}</dd><dt>E-mail</dt><dd>{{email}}</dd><dt>Full name</dt><dd>{{realname}}</dd></dl>
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
