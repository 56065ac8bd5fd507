import Foundation
@testable import Metadata
import OCI
import SQLKit
import Testing

/// A database written by the previous release (schema version 4) is brought up to date with its data intact.
@Suite("Schema upgrades")
struct UpgradeTests {
    @Test("from version 4: upload sessions move to upload_sessions, tags get ids, empty repositories go, users get name keys",
          arguments: Backend.allCases)
    func fromVersion4(_ backend: Backend) async throws {
        try await backend.withProvider(migrated: false) { provider in
            try await Migrations.run(on: provider, upTo: 4)
            let digest = Digest.compute(of: Array("m".utf8)).description
            try await provider.transaction { db in
                try await db.raw("INSERT INTO repositories (name, project_name, created_at, updated_at) VALUES ('team/app', 'team', 1, 1)").run()
                try await db.raw("INSERT INTO repositories (name, project_name, created_at, updated_at) VALUES ('team/empty', 'team', 1, 1)").run()
                try await db.raw("""
                    INSERT INTO manifests (repository_id, digest, media_type, size, created_at)
                    SELECT id, \(bind: digest), 'application/vnd.oci.image.manifest.v1+json', 10, 2 FROM repositories WHERE name = 'team/app'
                    """).run()
                for tag in ["v1", "v2"] {
                    try await db.raw("""
                        INSERT INTO tags (repository_id, name, manifest_digest, updated_at)
                        SELECT id, \(bind: tag), \(bind: digest), 3 FROM repositories WHERE name = 'team/app'
                        """).run()
                }
                try await db.raw("""
                    INSERT INTO uploads (id, repository_id, size, hash_state, created_at, updated_at)
                    SELECT 'session-1', id, 5, 'c3RhdGU=', 4, 4 FROM repositories WHERE name = 'team/empty'
                    """).run()
                try await db.raw("""
                    INSERT INTO users (username, realname, comment, password_hash, source, sysadmin, created_at, updated_at)
                    VALUES ('Alice', '', '', 'h', 'local', 0, 1, 1)
                    """).run()
            }
            let registry = SQLRegistryStore(provider: provider)
            try await registry.migrate()
            let repository = try #require(try await registry.repository(named: "team/app"))
            #expect(try await registry.repository(named: "team/empty") == nil, "a repository with only an upload session is gone")
            let session = try #require(try await registry.upload(id: "session-1", repositoryName: "team/empty"), "the session survives")
            #expect(session.size == 5 && session.hashState == Array("state".utf8))
            let artifact = try #require(try await registry.artifact(repositoryID: repository.id, digest: try Digest(parsing: digest)))
            #expect(artifact.tags.map(\.name) == ["v1", "v2"] && Set(artifact.tags.map(\.id)).count == 2)
            #expect(try await registry.tags(repositoryID: repository.id, after: nil, limit: 10) == ["v1", "v2"])
            let access = SQLAccessStore(provider: provider)
            #expect(try await access.fillNameKeys().isEmpty)
            await #expect(throws: MetadataConflict.self) {
                _ = try await access.createUser(UserRecord(username: "ａｌｉｃｅ", email: nil, realname: "", comment: "", passwordHash: "h",
                                                           source: .local, ldapDN: nil, sysadmin: false, createdAt: 1, updatedAt: 1))
            }
        }
    }
}
