/// What the administration pages (users, the system audit log, the job queue, the configuration) are filled with.

/// One user account, with what an administrator may do to it.
struct UserRow: Sendable {
    let id: Int64
    let name: String
    let email: String
    let realname: String
    let isAdmin: Bool
    let created: String
    let createdShown: String
    /// False on your own row: nobody changes their own administrator flag or deletes themselves here.
    let canManage: Bool
    let adminAction: String
    let passwordAction: String
    let deleteAction: String
}

/// The users list with the "New user" form.
struct UsersPage: Sendable {
    let frame: Frame
    let tabs: [ProjectTab]
    let filter: String
    let problem: String?
    let notice: String?
    /// Whether the "New user" form starts open (it came back with a problem).
    let formOpen: Bool
    let draftName: String
    let draftEmail: String
    let draftRealname: String
    let rows: [UserRow]
    let hasRows: Bool
    let pager: Pager?
}

/// The whole audit log with its filters.
struct SystemLogsPage: Sendable {
    let frame: Frame
    let tabs: [ProjectTab]
    let filterAction: String
    let username: String
    let operation: String
    let resourceType: String
    let rows: [LogRow]
    let hasRows: Bool
    let pager: Pager?
}

/// Waiting jobs of one kind.
struct QueueRow: Sendable {
    let kind: String
    let waiting: Int
    let latency: String
}

/// One schedule.
struct ScheduleRow: Sendable {
    let kind: String
    let cron: String
    let nextRun: String
    let nextRunShown: String
    let state: String
}

/// One job of the recent jobs table.
struct JobRow: Sendable {
    let id: Int64
    let kind: String
    let status: String
    let attempts: String
    let created: String
    let createdShown: String
    let ended: String
    let problem: String
    let canStop: Bool
    let stopAction: String
}

/// One option of a `<select>`: its value, what it says, and whether it is chosen.
struct SelectOption: Sendable {
    let value: String
    let label: String
    let selected: Bool
}

/// The job queue: waiting jobs per kind, schedules, recent jobs.
struct JobsPage: Sendable {
    let frame: Frame
    let tabs: [ProjectTab]
    let problem: String?
    let queues: [QueueRow]
    let hasQueues: Bool
    let schedules: [ScheduleRow]
    let hasSchedules: Bool
    let statuses: [SelectOption]
    let jobs: [JobRow]
    let hasJobs: Bool
    let live: Bool
    let pager: Pager?
}

/// One line of a settings table.
struct SettingRow: Sendable {
    let name: String
    let value: String
}

/// The configuration in force, with the LDAP connection test.
struct ConfigurationPage: Sendable {
    let frame: Frame
    let tabs: [ProjectTab]
    let general: [SettingRow]
    let ldapConfigured: Bool
    let ldap: [SettingRow]
    let ldapGroups: [SettingRow]
    let testResult: String?
    let testPassed: Bool
}
