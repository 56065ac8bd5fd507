/// What the portal's templates are filled with: one value per page, read by Mustache through its stored properties.

/// The frame every page shares: the stylesheet, who is signed in, the token forms carry, the version.
struct Frame: Sendable {
    let stylesheet: String
    let script: String
    let signedIn: Bool
    let authEnabled: Bool
    let username: String
    /// Whether the visitor is a system administrator (the Administration link).
    let isAdmin: Bool
    let csrf: String
    let version: String
}

/// Links to the neighbouring pages of a list, and which rows this page shows.
struct Pager: Sendable {
    let previous: String?
    let next: String?
    let shown: String
}

/// The sign-in form, again with the problem when signing in failed.
struct SignInPage: Sendable {
    let frame: Frame
    let problem: String?
    let next: String
    let username: String
}

/// One row of the projects table (Harbor's columns).
struct ProjectRow: Sendable {
    let name: String
    let access: String
    let role: String
    let repositories: Int
    let created: String
    let createdShown: String
}

/// The projects list.
struct ProjectsPage: Sendable {
    let frame: Frame
    let filter: String
    let problem: String?
    let canCreate: Bool
    let draftName: String
    /// The registries a system administrator may make a proxy-cache project of.
    let proxyRegistries: [SelectOption]
    let canProxy: Bool
    let rows: [ProjectRow]
    let hasRows: Bool
    let emptyMessage: String
    let pager: Pager?
}

/// A tab of a project's pages.
struct ProjectTab: Sendable {
    let title: String
    let href: String
    let active: Bool
}

/// An error in words.
struct ErrorPage: Sendable {
    let frame: Frame
    let heading: String
    let message: String
    let signInHint: Bool
    let next: String
}
