import Foundation
import Metadata
import OCI
import Testing

/// The access-control stores on SQLite and PostgreSQL: uniqueness, visibility, memberships, paging with Harbor's
/// filters, the audit log, shared settings, and the repository/artifact views of the management API.
@Suite("Access stores")
struct AccessStoreTests {
    func user(_ name: String, email: String? = nil) -> UserRecord {
        UserRecord(username: name, email: email, realname: name.capitalized, comment: "", passwordHash: "hash-\(name)", source: .local,
                   ldapDN: nil, sysadmin: false, createdAt: 1, updatedAt: 1)
    }

    @Test("users are unique by name and e-mail regardless of case, and page with filters", arguments: Backend.allCases)
    func users(_ backend: Backend) async throws {
        try await backend.withProvider { provider in
            let store = SQLAccessStore(provider: provider)
            let alice = try await store.createUser(user("Alice", email: "alice@example.org"))
            await #expect(throws: MetadataConflict.self) { _ = try await store.createUser(self.user("alice")) }
            await #expect(throws: MetadataConflict.self) { _ = try await store.createUser(self.user("bob", email: "ALICE@example.org")) }
            for name in ["bob", "carol", "dave"] { _ = try await store.createUser(user(name)) }
            #expect(try await store.user(named: "ALICE")?.id == alice.id)
            let page = try await store.users(ListQuery(filters: [.init(key: "username", match: .fuzzy("A"))], sort: [.init(key: "username", descending: true)], offset: 0, limit: 2))
            #expect(page.total == 3)  // Alice, carol, dave
            #expect(page.items.map(\.username) == ["dave", "carol"])
            await #expect(throws: ListQueryError.self) { _ = try await store.users(ListQuery(filters: [.init(key: "password_hash", match: .exact("x"))])) }
            #expect(try await store.deleteUser(id: alice.id))
            #expect(try await store.user(id: alice.id) == nil)
            #expect(try await store.userCount() == 3)
        }
    }

    @Test("projects: library exists, visibility by publicity and membership, roles through groups, deletion only when empty", arguments: Backend.allCases)
    func projects(_ backend: Backend) async throws {
        try await backend.withProvider { provider in
            let store = SQLAccessStore(provider: provider)
            let registry = SQLRegistryStore(provider: provider)
            #expect(try await store.project(named: "library")?.isPublic == true)
            let owner = try await store.createUser(user("owner"))
            let member = try await store.createUser(user("member"))
            let team = try await store.createProject(ProjectRecord(name: "team", ownerID: owner.id, metadata: ["public": "false"], createdAt: 2, updatedAt: 2), ownerRole: 1)
            await #expect(throws: MetadataConflict.self) {
                _ = try await store.createProject(ProjectRecord(name: "team", ownerID: nil, metadata: ["public": "true"], createdAt: 2, updatedAt: 2), ownerRole: nil)
            }
            let group = try await store.createGroup(UserGroupRecord(name: "devs", type: 1, ldapDN: "cn=devs,dc=x", createdAt: 3))
            _ = try await store.addMember(MemberRecord(projectID: team.id, entityType: .group, entityID: group.id, entityName: "", role: 2), now: 3)
            await #expect(throws: MetadataConflict.self) {
                _ = try await store.addMember(MemberRecord(projectID: team.id, entityType: .group, entityID: group.id, entityName: "", role: 3), now: 3)
            }
            #expect(try await store.roles(projectID: team.id, userID: owner.id, groupIDs: []) == [1])
            #expect(try await store.roles(projectID: team.id, userID: member.id, groupIDs: []).isEmpty)
            try await store.setDirectoryGroups(userID: member.id, dns: ["CN=devs,dc=x", "cn=other,dc=x"])
            let groupIDs = try await store.groupIDs(ofUser: member.id)
            #expect(groupIDs == [group.id])
            #expect(try await store.directoryGroups(ofUser: member.id) == ["cn=devs,dc=x", "cn=other,dc=x"])
            #expect(try await store.roles(projectID: team.id, userID: member.id, groupIDs: groupIDs) == [2])
            let members = try await store.members(projectID: team.id, ListQuery())
            #expect(Set(members.items.map(\.entityName)) == ["owner", "devs"])
            #expect(try await store.memberCounts(projectID: team.id) == [1: 1, 2: 1])
            let anonymous = try await store.projectNames(visibility: .publicAnd(userID: nil, groupIDs: [], projectIDs: []))
            #expect(anonymous == ["library"])
            #expect(try await store.projectNames(visibility: .publicAnd(userID: nil, groupIDs: groupIDs, projectIDs: [])) == ["library", "team"])
            #expect(try await store.projects(ListQuery(filters: [.init(key: "public", match: .exact("false"))]), visibility: .all).items.map(\.name) == ["team"])

            _ = try await registry.createRepository(named: "team/app", now: 4)
            #expect(try await store.repositoryCount(project: "team") == 1)
            #expect(try await store.deleteProjectIfEmpty(id: team.id, name: "team") == false)
            #expect(try await registry.repositoryNames(after: nil, limit: 10, inProjects: ["team"]) == ["team/app"])
            #expect(try await registry.repositoryNames(after: nil, limit: 10, inProjects: ["library"]).isEmpty)
            #expect(try await registry.deleteRepository(named: "team/app", by: .system))
            #expect(try await store.deleteProjectIfEmpty(id: team.id, name: "team"))
            #expect(try await store.project(named: "team") == nil)

            // A page's facts in one go: the member's roles through the group, repository counts, owner names.
            let crew = try await store.createProject(ProjectRecord(name: "crew", ownerID: owner.id, metadata: [:], createdAt: 2, updatedAt: 2), ownerRole: 1)
            _ = try await store.addMember(MemberRecord(projectID: crew.id, entityType: .group, entityID: group.id, entityName: "", role: 3), now: 3)
            _ = try await registry.createRepository(named: "crew/a", now: 4)
            _ = try await registry.createRepository(named: "crew/b", now: 4)
            let library = try #require(try await store.project(named: "library"))
            let facts = try await store.listFacts(of: [crew, library], userID: member.id, groupIDs: groupIDs)
            #expect(facts.roles == [crew.id: [3]] && facts.repositoryCounts == ["crew": 2] && facts.ownerNames[owner.id] == "owner",
                    "\(facts)")
            #expect(try await store.listFacts(of: [crew], userID: owner.id, groupIDs: []).roles == [crew.id: [1]])
            #expect(try await store.listFacts(of: [crew], userID: nil, groupIDs: []).roles.isEmpty)
        }
    }

    @Test("robots, the audit log, shared settings and login failures", arguments: Backend.allCases)
    func robotsAuditSettings(_ backend: Backend) async throws {
        try await backend.withProvider { provider in
            let store = SQLAccessStore(provider: provider)
            var robot = try await store.createRobot(RobotRecord(
                name: "robot$ci", description: "", level: "system", projectID: nil, secretHash: "h", disabled: false, durationDays: -1,
                expiresAt: -1, permissionsJSON: "[]", creatorType: "local", creatorRef: 1, createdAt: 1, updatedAt: 1))
            robot.disabled = true
            try await store.updateRobot(robot)
            #expect(try await store.robot(named: "robot$ci")?.disabled == true)
            await #expect(throws: MetadataConflict.self) { _ = try await store.createRobot(robot) }

            var entries: [AuditRecord] = []
            for i in 0 ..< 150 {
                let projectID: Int64? = i % 2 == 0 ? 1 : nil
                let operation = i % 3 == 0 ? "pull" : "create"
                entries.append(AuditRecord(projectID: projectID, operation: operation, resourceType: "artifact", resource: "library/app:\(i)",
                                           username: "u\(i % 5)", clientIP: "10.0.0.1", success: true, createdAt: Int64(1000 + i)))
            }
            try await store.append(entries)
            let pulls = try await store.auditLogs(ListQuery(filters: [.init(key: "operation", match: .exact("pull"))], limit: 5), projectIDs: nil)
            #expect(pulls.total == 50)
            #expect(pulls.items.first?.createdAt == 1147)  // newest first (i = 147 is the last multiple of 3)
            let ranged = try await store.auditLogs(ListQuery(filters: [.init(key: "op_time", match: .range("1100", "1109"))], limit: 100), projectIDs: [1])
            #expect(ranged.total == 5)

            #expect(try await store.settingInsertingIfAbsent("k", value: "first", now: 1) == "first")
            #expect(try await store.settingInsertingIfAbsent("k", value: "second", now: 2) == "first")
            #expect(try await store.setting("k") == "first")

            try await store.setLoginFailures("user:x", failures: 3, lastFailureAt: 10, lockedUntil: 0)
            #expect(try await store.loginFailures("user:x")?.failures == 3)
            try await store.clearLoginFailures("user:x")
            #expect(try await store.loginFailures("user:x") == nil)
        }
    }

    @Test("artifacts list with tags and total size; tags can be added to an existing manifest", arguments: Backend.allCases)
    func artifacts(_ backend: Backend) async throws {
        try await backend.withProvider { provider in
            let registry = SQLRegistryStore(provider: provider)
            let repo = try await registry.createRepository(named: "library/app", now: 1)
            let config = Digest.compute(of: Array("config".utf8)), layer = Digest.compute(of: Array("layer".utf8))
            try await registry.linkBlob(config, size: 100, repositoryID: repo.id, now: 1)
            try await registry.linkBlob(layer, size: 1000, repositoryID: repo.id, now: 1)
            let manifest = ManifestRecord(digest: Digest.compute(of: Array("m".utf8)), mediaType: MediaType.ociManifest, size: 10,
                                          artifactType: nil, subject: nil, annotations: nil)
            try await registry.putManifest(manifest, references: ManifestReferences(blobs: [config, layer], manifests: []), tag: try Tag("v1"), repositoryName: "library/app", now: 2, by: .system)
            #expect(try await registry.createTag(try Tag("latest"), digest: manifest.digest, repositoryID: repo.id, now: 3, by: .system))
            #expect(try await registry.createTag(try Tag("latest"), digest: manifest.digest, repositoryID: repo.id, now: 3, by: .system) == false)
            let page = try await registry.artifacts(repositoryID: repo.id, ListQuery(filters: [.init(key: "tags", match: .exact("latest"))]))
            #expect(page.total == 1)
            #expect(page.items.first?.totalSize == 1110)
            #expect(page.items.first?.tags.map(\.name) == ["latest", "v1"])
            let info = try await registry.repositoryInfo(named: "library/app")
            #expect(info?.artifactCount == 1 && info?.projectName == "library")
            #expect(try await registry.updateRepositoryDescription(named: "library/app", description: "hello", now: 5))
            #expect(try await registry.repositories(project: "library", ListQuery()).items.first?.description == "hello")

            // The project summary's figures: artifacts, bytes (the manifest and each blob once, however many
            // repositories hold it), and pushes per UTC day from a given time.
            let other = try await registry.createRepository(named: "library/other", now: 1)
            try await registry.linkBlob(layer, size: 1000, repositoryID: other.id, now: 1)
            let second = ManifestRecord(digest: Digest.compute(of: Array("m2".utf8)), mediaType: MediaType.ociManifest, size: 20,
                                        artifactType: nil, subject: nil, annotations: nil)
            try await registry.putManifest(second, references: ManifestReferences(blobs: [layer], manifests: []), tag: try Tag("v1"),
                                           repositoryName: "library/other", now: 86_400_000 * 3 + 5, by: .system)
            let activity = try await registry.projectActivity(project: "library", since: 0)
            #expect(activity.artifactCount == 2 && activity.storedBytes == 10 + 20 + 100 + 1000, "manifests and blobs, each once: \(activity)")
            #expect(activity.pushesPerDay == [0: 1, 3: 1])
            #expect(try await registry.projectActivity(project: "library", since: 86_400_000).pushesPerDay == [3: 1])
            #expect(try await registry.projectActivity(project: "nothing", since: 0) == ProjectActivity(artifactCount: 0, storedBytes: 0, pushesPerDay: [:]))

            // Storage across projects: each blob once per project, largest first; the limit cuts the list, not the count.
            let tools = try await registry.createRepository(named: "tools/cli", now: 1)
            try await registry.linkBlob(layer, size: 1000, repositoryID: tools.id, now: 1)
            try await registry.linkBlob(Digest.compute(of: Array("big".utf8)), size: 5000, repositoryID: tools.id, now: 1)
            let storage = try await registry.storageByProject(limit: 10)
            #expect(storage.projects == [ProjectStorage(project: "tools", bytes: 6000), ProjectStorage(project: "library", bytes: 1130)]
                && storage.storingProjects == 2, "\(storage)")
            let top = try await registry.storageByProject(limit: 1)
            #expect(top.projects.map(\.project) == ["tools"] && top.storingProjects == 2)
        }
    }
}
