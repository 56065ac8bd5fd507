import OCI

/// A row that would break a uniqueness rule (a second user with the same name, say).
public struct MetadataConflict: Error, Sendable, CustomStringConvertible {
    /// What already exists.
    public let description: String
    /// Creates the error.
    public init(_ description: String) { self.description = description }
}

/// User accounts.
public protocol UserStore: Sendable {
    /// Inserts a user; throws `MetadataConflict` when the name or e-mail is taken.
    func createUser(_ user: UserRecord) async throws -> UserRecord
    /// The user with this id.
    func user(id: Int64) async throws -> UserRecord?
    /// The user with this name, ignoring case.
    func user(named username: String) async throws -> UserRecord?
    /// A page of users (`username`, `email` filters).
    func users(_ query: ListQuery) async throws -> ListPage<UserRecord>
    /// Writes every field of `user` back.
    func updateUser(_ user: UserRecord) async throws
    /// Deletes the user and their memberships.
    func deleteUser(id: Int64) async throws -> Bool
    /// Number of users.
    func userCount() async throws -> Int
}

/// User groups (LDAP groups).
public protocol UserGroupStore: Sendable {
    /// Inserts a group; throws `MetadataConflict` when its DN is taken.
    func createGroup(_ group: UserGroupRecord) async throws -> UserGroupRecord
    /// The group with this id.
    func group(id: Int64) async throws -> UserGroupRecord?
    /// The groups with these DNs (ignoring case).
    func groups(withDNs dns: [String]) async throws -> [UserGroupRecord]
    /// A page of groups (`group_name`, `group_type`, `ldap_group_dn` filters).
    func groups(_ query: ListQuery) async throws -> ListPage<UserGroupRecord>
    /// Renames a group.
    func renameGroup(id: Int64, name: String, now: Int64) async throws -> Bool
    /// Deletes the group and its memberships.
    func deleteGroup(id: Int64) async throws -> Bool
    /// Records the directory groups (DNs) a user belonged to at their last login.
    func setDirectoryGroups(userID: Int64, dns: [String]) async throws
    /// The ids of known groups among the directory groups recorded for a user.
    func groupIDs(ofUser userID: Int64) async throws -> [Int64]
    /// The directory groups (DNs, lowercased) recorded for a user at their last login.
    func directoryGroups(ofUser userID: Int64) async throws -> [String]
}

/// Which projects a caller may see in a list.
public enum ProjectVisibility: Sendable, Equatable {
    /// Every project (system administrators, robots covering all projects).
    case all
    /// Public projects, plus those where the user or one of the groups is a member, plus the ones with these ids.
    case publicAnd(userID: Int64?, groupIDs: [Int64], projectIDs: [Int64])
}

/// Projects and their members.
public protocol ProjectStore: Sendable {
    /// Inserts a project (and its owner as project admin when given); throws `MetadataConflict` when the name is taken.
    func createProject(_ project: ProjectRecord, ownerRole: Int?) async throws -> ProjectRecord
    /// The project with this name.
    func project(named name: String) async throws -> ProjectRecord?
    /// The project with this id.
    func project(id: Int64) async throws -> ProjectRecord?
    /// A page of projects the caller may see (`name`, `public`, `owner_id`, `project_id` filters).
    func projects(_ query: ListQuery, visibility: ProjectVisibility) async throws -> ListPage<ProjectRecord>
    /// The names of every project the caller may see.
    func projectNames(visibility: ProjectVisibility) async throws -> [String]
    /// Writes the project's metadata back.
    func updateProject(_ project: ProjectRecord) async throws
    /// Deletes the project if it holds no repositories; false when it still does.
    func deleteProjectIfEmpty(id: Int64, name: String) async throws -> Bool
    /// Number of repositories in the project.
    func repositoryCount(project name: String) async throws -> Int
    /// Adds a member; throws `MetadataConflict` when the entity already is one.
    func addMember(_ member: MemberRecord, now: Int64) async throws -> MemberRecord
    /// The membership with this id in the project.
    func member(id: Int64, projectID: Int64) async throws -> MemberRecord?
    /// A page of the project's members (`entityname` filter).
    func members(projectID: Int64, _ query: ListQuery) async throws -> ListPage<MemberRecord>
    /// How many members the project has per role id.
    func memberCounts(projectID: Int64) async throws -> [Int: Int]
    /// Changes a member's role.
    func updateMemberRole(id: Int64, projectID: Int64, role: Int, now: Int64) async throws -> Bool
    /// Removes a member.
    func deleteMember(id: Int64, projectID: Int64) async throws -> Bool
    /// The roles the user (directly or through one of the groups) holds in the project.
    func roles(projectID: Int64, userID: Int64?, groupIDs: [Int64]) async throws -> [Int]
    /// What a list of projects shows besides the projects themselves, in three queries for the whole page: the roles the
    /// user (directly or through one of the groups) holds in each, each one's repository count, and the owners' names.
    func listFacts(of projects: [ProjectRecord], userID: Int64?, groupIDs: [Int64]) async throws -> ProjectListFacts
    /// The projects where the user (directly or through one of the groups) holds one of `roles`.
    func projectIDs(userID: Int64, groupIDs: [Int64], roles: [Int]) async throws -> [Int64]
    /// Counts for `/statistics`; the `member` counts are of private projects where the user or a group is a member.
    func statistics(userID: Int64?, groupIDs: [Int64]) async throws -> RegistryStatistics
}

/// Robot accounts.
public protocol RobotStore: Sendable {
    /// Inserts a robot; throws `MetadataConflict` when the name is taken.
    func createRobot(_ robot: RobotRecord) async throws -> RobotRecord
    /// The robot with this id.
    func robot(id: Int64) async throws -> RobotRecord?
    /// The robot with this full name.
    func robot(named name: String) async throws -> RobotRecord?
    /// A page of robots (`name`, `level`, `project_id` filters).
    func robots(_ query: ListQuery) async throws -> ListPage<RobotRecord>
    /// Writes every field of `robot` back.
    func updateRobot(_ robot: RobotRecord) async throws
    /// Deletes a robot.
    func deleteRobot(id: Int64) async throws -> Bool
}

/// The audit log.
public protocol AuditStore: Sendable {
    /// Appends entries.
    func append(_ entries: [AuditRecord]) async throws
    /// A page of entries, newest first (`operation`, `resource`, `resource_type`, `username`, `op_time` filters),
    /// optionally only of these projects.
    func auditLogs(_ query: ListQuery, projectIDs: [Int64]?) async throws -> ListPage<AuditRecord>
}

/// Small named values the whole deployment shares (the token signing key, for one).
public protocol SettingsStore: Sendable {
    /// The value stored under `name`.
    func setting(_ name: String) async throws -> String?
    /// Stores `value` under `name` unless something is already there; returns what is stored afterwards.
    func settingInsertingIfAbsent(_ name: String, value: String, now: Int64) async throws -> String
    /// Stores `value` under `name`, replacing what was there.
    func putSetting(_ name: String, value: String, now: Int64) async throws
}

/// Failed login bookkeeping, per account and per address.
public protocol LoginFailureStore: Sendable {
    /// Current failures and lock for `subject` (`user:<name>` or `ip:<address>`).
    func loginFailures(_ subject: String) async throws -> (failures: Int, lastFailureAt: Int64, lockedUntil: Int64)?
    /// Stores the failure count and lock for `subject`.
    func setLoginFailures(_ subject: String, failures: Int, lastFailureAt: Int64, lockedUntil: Int64) async throws
    /// Forgets `subject`'s failures (after a successful login).
    func clearLoginFailures(_ subject: String) async throws
    /// Forgets every subject whose last failure and lock both ended before `time`.
    func forgetLoginFailures(before time: Int64) async throws
}

/// Repositories and artifacts as the management API lists and changes them.
public protocol ArtifactStore: Sendable {
    /// A page of the project's repositories (`name` filter; `name`, `creation_time`, `update_time` sort keys).
    func repositories(project: String, _ query: ListQuery) async throws -> ListPage<RepositoryInfo>
    /// A page of the repositories of these projects (nil: of every project).
    func repositories(inProjects projects: [String]?, _ query: ListQuery) async throws -> ListPage<RepositoryInfo>
    /// The artifact ids of these digests in the repository.
    func artifactIDs(repositoryID: Int64, digests: [Digest]) async throws -> [Digest: Int64]
    /// One repository.
    func repositoryInfo(named name: String) async throws -> RepositoryInfo?
    /// A page of a repository's artifacts, newest push first (`digest`, `media_type`, `tags` filters).
    func artifacts(repositoryID: Int64, _ query: ListQuery) async throws -> ListPage<ArtifactInfo>
    /// One artifact by digest.
    func artifact(repositoryID: Int64, digest: Digest) async throws -> ArtifactInfo?
    /// Adds pulls to pull times and counts.
    func recordPulls(_ pulls: [PullCount]) async throws
    /// The project's artifact count, the bytes it stores, and its artifacts pushed per UTC day from `since` (ms).
    func projectActivity(project: String, since: Int64) async throws -> ProjectActivity
    /// The `limit` projects storing the most bytes (each blob and manifest once per project), largest first, and how
    /// many projects store anything.
    func storageByProject(limit: Int) async throws -> (projects: [ProjectStorage], storingProjects: Int)
}

/// Server-side sessions (portal sign-ins and refresh tokens).
public protocol SessionStore: Sendable {
    /// Stores a new session (and forgets sessions that expired before `record.createdAt`).
    func createSession(_ record: SessionRecord) async throws
    /// The unexpired session with this token hash and kind.
    func session(tokenHash: String, kind: String, now: Int64) async throws -> SessionRecord?
    /// Ends one session.
    func deleteSession(tokenHash: String) async throws
    /// Ends every session of a user.
    func deleteSessions(userID: Int64) async throws
    /// Ends every session (refresh token) of a robot.
    func deleteSessions(robotID: Int64) async throws
}

/// Project and repository counts and the storage in use, as `/statistics` reports them.
public struct RegistryStatistics: Sendable, Equatable {
    /// Public projects.
    public var publicProjects: Int64
    /// All projects.
    public var totalProjects: Int64
    /// Repositories in public projects.
    public var publicRepositories: Int64
    /// All repositories.
    public var totalRepositories: Int64
    /// Bytes of distinct blobs (and manifests) linked anywhere.
    public var storageBytes: Int64
    /// Private projects the asking user belongs to.
    public var memberPrivateProjects: Int64
    /// Repositories in those.
    public var memberPrivateRepositories: Int64

    /// Creates the counts.
    public init(publicProjects: Int64, totalProjects: Int64, publicRepositories: Int64, totalRepositories: Int64, storageBytes: Int64,
                memberPrivateProjects: Int64, memberPrivateRepositories: Int64) {
        self.publicProjects = publicProjects
        self.totalProjects = totalProjects
        self.publicRepositories = publicRepositories
        self.totalRepositories = totalRepositories
        self.storageBytes = storageBytes
        self.memberPrivateProjects = memberPrivateProjects
        self.memberPrivateRepositories = memberPrivateRepositories
    }
}
