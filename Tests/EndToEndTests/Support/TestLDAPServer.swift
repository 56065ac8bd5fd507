import Foundation

/// A throwaway OpenLDAP server (Debian's slapd) on free ports, seeded with people and groups:
/// `uid=alice|bob|carol,ou=people,dc=example,dc=org` (passwords `<uid>123`), `cn=admins` {alice} and
/// `cn=developers` {alice, bob} under `ou=groups`, with the memberof overlay keeping `memberOf` on users.
/// With `tls`, it also listens on ldaps and offers StartTLS, with a certificate from a CA it generates.
final class TestLDAPServer: @unchecked Sendable {
    static let base = "dc=example,dc=org"
    static let adminDN = "cn=admin,dc=example,dc=org"
    static let adminPassword = "admin"

    let directory: TemporaryDirectory
    let port: Int
    let tlsPort: Int?
    private let process: Process

    var url: String { "ldap://127.0.0.1:\(port)" }
    var tlsURL: String? { tlsPort.map { "ldaps://127.0.0.1:\($0)" } }
    var caFile: String { directory.file("ca.pem") }

    static func start(tls: Bool = false) async throws -> TestLDAPServer {
        let dir = try TemporaryDirectory("slapd")
        try FileManager.default.createDirectory(atPath: dir.file("db"), withIntermediateDirectories: true)
        if tls { try await makeCertificates(in: dir) }
        let rootPassword = try await ProcessRunner.run(["slappasswd", "-s", adminPassword]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        // Ports are picked just before slapd binds them; on a busy machine another process can still take one in
        // between (slapd then exits at once), so a slapd that exits before it answers is started again on new ports.
        for attempt in 1 ... 5 {
            let launched: TestLDAPServer?
            do { launched = try await launch(in: dir, tls: tls, rootPassword: rootPassword) } catch {
                dir.remove()
                throw error
            }
            if let server = launched {
                do { try await server.seed() } catch {
                    await server.stop()
                    throw error
                }
                return server
            }
            if attempt < 5 { try await Task.sleep(for: .milliseconds(200)) }
        }
        dir.remove()
        throw TestFailure("slapd did not start (five attempts on fresh ports)")
    }

    /// Starts slapd on fresh ports and waits up to a minute for it to answer; nil when it exited first.
    private static func launch(in dir: TemporaryDirectory, tls: Bool, rootPassword: String) async throws -> TestLDAPServer? {
        let port = try freePort()
        let tlsPort = tls ? try freePort() : nil
        var config = """
            include /etc/ldap/schema/core.schema
            include /etc/ldap/schema/cosine.schema
            include /etc/ldap/schema/nis.schema
            include /etc/ldap/schema/inetorgperson.schema
            pidfile \(dir.file("slapd.pid"))
            modulepath /usr/lib/ldap
            moduleload back_mdb
            moduleload memberof
            loglevel none

            """
        if tls {
            config += """
                TLSCACertificateFile \(dir.file("ca.pem"))
                TLSCertificateFile \(dir.file("server.pem"))
                TLSCertificateKeyFile \(dir.file("server.key"))

                """
        }
        config += """
            database mdb
            maxsize 104857600
            suffix "\(base)"
            rootdn "\(adminDN)"
            rootpw \(rootPassword)
            directory \(dir.file("db"))
            index objectClass eq
            index uid,cn,member,memberOf eq
            access to attrs=userPassword by self write by anonymous auth by * none
            access to * by * read
            overlay memberof
            memberof-group-oc groupOfNames
            memberof-member-ad member
            memberof-memberof-ad memberOf
            memberof-refint TRUE

            """
        try config.write(toFile: dir.file("slapd.conf"), atomically: true, encoding: .utf8)
        var urls = "ldap://127.0.0.1:\(port)/"
        if let tlsPort { urls += " ldaps://127.0.0.1:\(tlsPort)/" }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/slapd")
        process.arguments = ["-d", "0", "-f", dir.file("slapd.conf"), "-h", urls]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        let server = TestLDAPServer(directory: dir, port: port, tlsPort: tlsPort, process: process)
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if try await ProcessRunner.run(["ldapsearch", "-x", "-H", server.url, "-b", "", "-s", "base", "namingContexts"]).succeeded {
                return server
            }
            if !process.isRunning { return nil }
            try await Task.sleep(for: .milliseconds(50))
        }
        kill(process.processIdentifier, SIGKILL)
        throw TestFailure("slapd on port \(port) did not answer within a minute")
    }

    private init(directory: TemporaryDirectory, port: Int, tlsPort: Int?, process: Process) {
        self.directory = directory
        self.port = port
        self.tlsPort = tlsPort
        self.process = process
    }

    private func seed() async throws {
        var ldif = """
            dn: \(Self.base)
            objectClass: dcObject
            objectClass: organization
            o: Example
            dc: example

            dn: ou=people,\(Self.base)
            objectClass: organizationalUnit
            ou: people

            dn: ou=groups,\(Self.base)
            objectClass: organizationalUnit
            ou: groups


            """
        for (index, (uid, name)) in [("alice", "Alice Admin"), ("bob", "Bob Dev"), ("carol", "Carol Guest")].enumerated() {
            let hash = try await ProcessRunner.run(["slappasswd", "-h", "{SSHA}", "-s", "\(uid)123"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            ldif += """
                dn: uid=\(uid),ou=people,\(Self.base)
                objectClass: inetOrgPerson
                objectClass: posixAccount
                uid: \(uid)
                cn: \(name)
                sn: \(name.split(separator: " ").last!)
                mail: \(uid)@example.org
                uidNumber: \(10001 + index)
                gidNumber: \(10001 + index)
                homeDirectory: /home/\(uid)
                userPassword: \(hash)


                """
        }
        ldif += """
            dn: cn=admins,ou=groups,\(Self.base)
            objectClass: groupOfNames
            cn: admins
            member: uid=alice,ou=people,\(Self.base)

            dn: cn=developers,ou=groups,\(Self.base)
            objectClass: groupOfNames
            cn: developers
            member: uid=alice,ou=people,\(Self.base)
            member: uid=bob,ou=people,\(Self.base)

            """
        try ldif.write(toFile: directory.file("seed.ldif"), atomically: true, encoding: .utf8)
        let added = try await ProcessRunner.run(["ldapadd", "-x", "-H", url, "-D", Self.adminDN, "-w", Self.adminPassword, "-f", directory.file("seed.ldif")])
        guard added.succeeded else { throw TestFailure("seeding slapd failed: \(added.stderr)") }
    }

    /// Sets a person's password in the directory (as an administrator would with ldappasswd).
    func setPassword(uid: String, to password: String) async throws {
        let changed = try await ProcessRunner.run(["ldappasswd", "-x", "-H", url, "-D", Self.adminDN, "-w", Self.adminPassword, "-s", password,
                                                   "uid=\(uid),ou=people,\(Self.base)"])
        guard changed.succeeded else { throw TestFailure("ldappasswd failed: \(changed.stderr)") }
    }

    /// A CA and a server certificate for 127.0.0.1, made with the openssl command.
    private static func makeCertificates(in dir: TemporaryDirectory) async throws {
        let steps: [[String]] = [
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Berth Test CA",
             "-keyout", dir.file("ca.key"), "-out", dir.file("ca.pem")],
            ["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", dir.file("server.key"), "-out", dir.file("server.csr")],
            ["openssl", "x509", "-req", "-in", dir.file("server.csr"), "-CA", dir.file("ca.pem"), "-CAkey", dir.file("ca.key"), "-CAcreateserial",
             "-days", "2", "-extfile", dir.file("san.cnf"), "-out", dir.file("server.pem")],
        ]
        try "subjectAltName=IP:127.0.0.1,DNS:localhost\n".write(toFile: dir.file("san.cnf"), atomically: true, encoding: .utf8)
        for step in steps {
            let result = try await ProcessRunner.run(step)
            guard result.succeeded else { throw TestFailure("\(step.joined(separator: " ")) failed: \(result.stderr)") }
        }
    }

    /// Stops slapd and removes its files.
    func stop() async {
        kill(process.processIdentifier, SIGKILL)
        while process.isRunning { try? await Task.sleep(for: .milliseconds(10)) }
        directory.remove()
    }

    /// A TCP port nobody listens on right now.
    static func freePort() throws -> Int {
        let held = try HeldPort()
        defer { held.release() }
        return held.port
    }
}
