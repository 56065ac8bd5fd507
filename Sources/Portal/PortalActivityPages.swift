/// What the robot accounts and logs tabs are filled with.

/// One robot account.
struct RobotRow: Sendable {
    let id: Int64
    let name: String
    let enabled: String
    let expires: String
    let access: String
    let description: String
    let created: String
    let disabled: Bool
    /// Whether the visitor may disable, enable and refresh it (project admins).
    let canUpdate: Bool
    let stateAction: String
    let secretAction: String
    let canDelete: Bool
    let deleteAction: String
    /// Where the edit form posts, with the robot's current permissions ticked.
    let accessAction: String
    let choices: [AccessChoice]
}

/// An action a new robot may be given, as a checkbox.
struct AccessChoice: Sendable {
    let value: String
    let label: String
    let checked: Bool
}

/// A project's robot accounts, with the "New robot account" form for project admins.
struct RobotsPage: Sendable {
    let frame: Frame
    let project: String
    let access: String
    let tabs: [ProjectTab]
    let problem: String?
    let canCreate: Bool
    let draftName: String
    let draftDescription: String
    let draftDuration: String
    let choices: [AccessChoice]
    let rows: [RobotRow]
    let hasRows: Bool
    let pager: Pager?
}

/// The answer to creating a robot: its name and its secret, shown this once.
struct RobotCreatedPage: Sendable {
    let frame: Frame
    /// "Robot account created", or what a secret refresh says.
    let heading: String
    let name: String
    let secret: String
    let login: String
    let back: String
}

/// One audit log entry.
struct LogRow: Sendable {
    let username: String
    let resource: String
    let resourceType: String
    let operation: String
    let time: String
    let timeShown: String
    let result: String
}

/// A project's audit log.
struct LogsPage: Sendable {
    let frame: Frame
    let project: String
    let access: String
    let tabs: [ProjectTab]
    let filterAction: String
    let username: String
    let operation: String
    let resourceType: String
    let rows: [LogRow]
    let hasRows: Bool
    let pager: Pager?
}
