import APIInput
import Foundation
import SQLKit

extension SQLAccessStore: UserStore {
    static let userColumns = "id, username, email, realname, comment, password_hash, source, ldap_dn, sysadmin, created_at, updated_at"
    static let userListing = SQLListing(columns: [
        "username": ("username", .text), "email": ("email", .text), "user_id": ("id", .integer),
        "sysadmin_flag": ("sysadmin", .boolean), "creation_time": ("created_at", .integer),
    ], defaultOrder: "id")

    public func createUser(_ user: UserRecord) async throws -> UserRecord {
        try await Self.unique("user \(user.username), a user whose name looks the same, or its e-mail address already exists") {
            try await provider.write { db in
                guard let row = try await db.raw("""
                    INSERT INTO users (username, name_key, email, realname, comment, password_hash, source, ldap_dn, sysadmin, created_at, updated_at)
                    VALUES (\(bind: user.username), \(bind: AccountName.comparisonKey(user.username)), \(bind: user.email), \(bind: user.realname),
                            \(bind: user.comment), \(bind: user.passwordHash), \(bind: user.source.rawValue), \(bind: user.ldapDN),
                            \(bind: user.sysadmin ? 1 : 0), \(bind: user.createdAt), \(bind: user.updatedAt))
                    RETURNING id
                    """).first() else { throw MetadataError.inconsistent("user insert returned no id") }
                var created = user
                created.id = try row.decode(column: "id", as: Int64.self)
                return created
            }
        }
    }

    public func user(id: Int64) async throws -> UserRecord? {
        try await provider.read { db in
            try await db.raw("SELECT \(unsafeRaw: Self.userColumns) FROM users WHERE id = \(bind: id)").first().map(Self.userRow)
        }
    }

    public func user(named username: String) async throws -> UserRecord? {
        try await provider.read { db in
            try await db.raw("SELECT \(unsafeRaw: Self.userColumns) FROM users WHERE lower(username) = lower(\(bind: username))")
                .first().map(Self.userRow)
        }
    }

    public func users(_ query: ListQuery) async throws -> ListPage<UserRecord> {
        try await provider.read { db in
            try await Self.page(db, select: Self.userColumns, from: "users", where: "1 = 1", listing: Self.userListing, query: query, map: Self.userRow)
        }
    }

    public func updateUser(_ user: UserRecord) async throws {
        try await Self.unique("the e-mail address \(user.email ?? "") is used by another user") {
            try await provider.write { db in
                try await db.raw("""
                    UPDATE users SET email = \(bind: user.email), realname = \(bind: user.realname), comment = \(bind: user.comment),
                    password_hash = \(bind: user.passwordHash), ldap_dn = \(bind: user.ldapDN), sysadmin = \(bind: user.sysadmin ? 1 : 0),
                    updated_at = \(bind: user.updatedAt)
                    WHERE id = \(bind: user.id)
                    """).run()
            }
        }
    }

    public func deleteUser(id: Int64) async throws -> Bool {
        try await provider.transaction { db in
            try await db.raw("DELETE FROM project_members WHERE entity_type = 'u' AND entity_id = \(bind: id)").run()
            return try await db.raw("DELETE FROM users WHERE id = \(bind: id) RETURNING id").all().count > 0
        }
    }

    /// Fills in the comparison key of users created before keys existed. Two old names that look alike keep both
    /// accounts: the later one's key gets its id appended (and so blocks nothing), and a warning names them.
    public func fillNameKeys() async throws -> [String] {
        let rows = try await provider.read { db in
            try await db.raw("SELECT id, username FROM users WHERE name_key IS NULL ORDER BY id").all()
                .map { (try $0.decode(column: "id", as: Int64.self), try $0.decode(column: "username", as: String.self)) }
        }
        var clashes: [String] = []
        for (id, username) in rows {
            let key = AccountName.comparisonKey(username)
            do {
                try await Self.unique("clash") {
                    try await provider.write { db in try await db.raw("UPDATE users SET name_key = \(bind: key) WHERE id = \(bind: id)").run() }
                }
            } catch is MetadataConflict {
                clashes.append(username)
                try await provider.write { db in try await db.raw("UPDATE users SET name_key = \(bind: key + "#\(id)") WHERE id = \(bind: id)").run() }
            }
        }
        return clashes
    }

    public func userCount() async throws -> Int {
        try await provider.read { db in
            try await db.raw("SELECT count(*) AS n FROM users").first()?.decode(column: "n", as: Int.self) ?? 0
        }
    }

    static func userRow(_ row: any SQLRow) throws -> UserRecord {
        UserRecord(
            id: try row.decode(column: "id", as: Int64.self),
            username: try row.decode(column: "username", as: String.self),
            email: try row.decode(column: "email", as: String?.self),
            realname: try row.decode(column: "realname", as: String.self),
            comment: try row.decode(column: "comment", as: String.self),
            passwordHash: try row.decode(column: "password_hash", as: String?.self),
            source: UserSource(rawValue: try row.decode(column: "source", as: String.self)) ?? .local,
            ldapDN: try row.decode(column: "ldap_dn", as: String?.self),
            sysadmin: try row.decode(column: "sysadmin", as: Int.self) != 0,
            createdAt: try row.decode(column: "created_at", as: Int64.self),
            updatedAt: try row.decode(column: "updated_at", as: Int64.self)
        )
    }
}

extension SQLAccessStore: UserGroupStore {
    static let groupColumns = "id, name, group_type, ldap_dn, created_at"
    static let groupListing = SQLListing(columns: [
        "group_name": ("name", .text), "group_type": ("group_type", .integer), "ldap_group_dn": ("ldap_dn", .text),
    ], defaultOrder: "id")

    public func createGroup(_ group: UserGroupRecord) async throws -> UserGroupRecord {
        try await Self.unique("a user group with DN \(group.ldapDN ?? "") already exists") {
            try await provider.write { db in
                guard let row = try await db.raw("""
                    INSERT INTO user_groups (name, group_type, ldap_dn, created_at, updated_at)
                    VALUES (\(bind: group.name), \(bind: group.type), \(bind: group.ldapDN), \(bind: group.createdAt), \(bind: group.createdAt))
                    RETURNING id
                    """).first() else { throw MetadataError.inconsistent("group insert returned no id") }
                var created = group
                created.id = try row.decode(column: "id", as: Int64.self)
                return created
            }
        }
    }

    public func group(id: Int64) async throws -> UserGroupRecord? {
        try await provider.read { db in
            try await db.raw("SELECT \(unsafeRaw: Self.groupColumns) FROM user_groups WHERE id = \(bind: id)").first().map(Self.groupRow)
        }
    }

    public func groups(withDNs dns: [String]) async throws -> [UserGroupRecord] {
        guard !dns.isEmpty else { return [] }
        return try await provider.read { db in
            try await db.raw("""
                SELECT \(unsafeRaw: Self.groupColumns) FROM user_groups WHERE lower(ldap_dn) IN (\(binds: dns.map { $0.lowercased() }))
                """).all().map(Self.groupRow)
        }
    }

    public func groups(_ query: ListQuery) async throws -> ListPage<UserGroupRecord> {
        try await provider.read { db in
            try await Self.page(db, select: Self.groupColumns, from: "user_groups", where: "1 = 1", listing: Self.groupListing, query: query, map: Self.groupRow)
        }
    }

    public func renameGroup(id: Int64, name: String, now: Int64) async throws -> Bool {
        try await provider.write { db in
            try await db.raw("UPDATE user_groups SET name = \(bind: name), updated_at = \(bind: now) WHERE id = \(bind: id) RETURNING id").all().count > 0
        }
    }

    public func deleteGroup(id: Int64) async throws -> Bool {
        try await provider.transaction { db in
            try await db.raw("DELETE FROM project_members WHERE entity_type = 'g' AND entity_id = \(bind: id)").run()
            return try await db.raw("DELETE FROM user_groups WHERE id = \(bind: id) RETURNING id").all().count > 0
        }
    }

    public func setDirectoryGroups(userID: Int64, dns: [String]) async throws {
        try await provider.transaction { db in
            try await db.raw("DELETE FROM user_directory_groups WHERE user_id = \(bind: userID)").run()
            for dn in Set(dns.map { $0.lowercased() }) {
                try await db.raw("INSERT INTO user_directory_groups (user_id, group_dn) VALUES (\(bind: userID), \(bind: dn))").run()
            }
        }
    }

    public func groupIDs(ofUser userID: Int64) async throws -> [Int64] {
        try await provider.read { db in
            try await db.raw("""
                SELECT g.id FROM user_directory_groups d JOIN user_groups g ON lower(g.ldap_dn) = d.group_dn
                WHERE d.user_id = \(bind: userID) ORDER BY g.id
                """).all().map { try $0.decode(column: "id", as: Int64.self) }
        }
    }

    public func directoryGroups(ofUser userID: Int64) async throws -> [String] {
        try await provider.read { db in
            try await db.raw("SELECT group_dn FROM user_directory_groups WHERE user_id = \(bind: userID) ORDER BY group_dn")
                .all().map { try $0.decode(column: "group_dn", as: String.self) }
        }
    }

    static func groupRow(_ row: any SQLRow) throws -> UserGroupRecord {
        UserGroupRecord(
            id: try row.decode(column: "id", as: Int64.self),
            name: try row.decode(column: "name", as: String.self),
            type: try row.decode(column: "group_type", as: Int.self),
            ldapDN: try row.decode(column: "ldap_dn", as: String?.self),
            createdAt: try row.decode(column: "created_at", as: Int64.self)
        )
    }
}
