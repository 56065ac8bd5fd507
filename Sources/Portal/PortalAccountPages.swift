/// What the account pages are filled with.

/// The signed-in user's page.
struct AccountPage: Sendable {
    let frame: Frame
    let username: String
    let email: String
    let realname: String
    let isAdmin: Bool
    let problem: String?
    let profileProblem: String?
    let profileSaved: Bool
    let draftEmail: String
    let draftRealname: String
    let hasCA: Bool
    let registry: String
    let trustCommand: String
}

/// The answer to a password change: every session ended, sign in again.
struct PasswordChangedPage: Sendable {
    let frame: Frame
}
