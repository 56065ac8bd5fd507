import APIInput
import Auth
import Foundation
import Logging
import Yams

/// Everything `berth serve` can be told, with defaults that run a registry on one machine with no setup.
/// Sources, weakest first: defaults, the YAML file, `BERTH_*` environment variables, command-line flags.
public struct BerthConfiguration: Sendable, Equatable {
    /// Listening address and port.
    public var http = HTTP()
    /// Directory for the database and the filesystem storage.
    public var dataDirectory = "./data"
    /// Metadata database URL: `sqlite:<path>` or `postgres://user:password@host:port/database`; empty means
    /// `sqlite:<dataDirectory>/berth.db`.
    public var database = ""
    /// Storage configuration.
    public var storage = Storage()
    /// Upload session housekeeping.
    public var uploads = Uploads()
    /// Registry behaviour.
    public var registry = Registry()
    /// Garbage collection.
    public var gc = GarbageCollection()
    /// Webhook delivery.
    public var webhooks = Webhooks()
    /// The Prometheus metrics endpoint.
    public var metrics = MetricsSettings()
    /// Logging.
    public var log = Log()
    /// Authentication and tokens.
    public var auth = Auth()
    /// Project rules.
    public var projects = Projects()
    /// LDAP/AD authentication (off while `ldap.url` is empty).
    public var ldap = LDAPSettings()

    /// HTTP listener settings.
    public struct HTTP: Sendable, Equatable, Codable {
        /// Address to bind.
        public var address = "127.0.0.1"
        /// Port to bind (0 picks a free one).
        public var port = 5000
        /// The URL clients reach the server at (for the token realm); empty means "from the request's Host header".
        public var externalURL = ""
        /// Proxies (addresses or CIDR networks) whose `X-Forwarded-For` names the real client; empty means none.
        public var trustedProxies: [String] = []
        /// Seconds from a request's first byte until its header must be complete (408 after).
        public var headerTimeoutSeconds = 30
        /// Seconds a connection may sit without a request in progress.
        public var idleTimeoutSeconds = 60
        /// Seconds the server waits for the next byte of a request body before closing the connection.
        public var bodyStallTimeoutSeconds = 60
        /// Connections served at once; further ones wait in the listen backlog.
        public var maxConnections = 2048
        /// HTTPS.
        public var tls = TLS()
    }

    /// HTTPS settings: the operator's certificate files, or a certificate from Berth's own CA, or none.
    public struct TLS: Sendable, Equatable, Codable {
        /// PEM file with the server certificate, optionally followed by its chain.
        public var certificate = ""
        /// PEM file with the certificate's unencrypted private key.
        public var key = ""
        /// Serve a certificate from Berth's own CA (kept in the database). Unset: yes when listening beyond loopback
        /// without certificate files, no on loopback (plain HTTP for development).
        public var generate: Bool?
        /// Extra names and IP addresses for the generated certificate (the external URL's host and loopback are
        /// always in it).
        public var hostnames: [String] = []
        /// PEM file of CAs whose client certificates are accepted (mutual TLS).
        public var clientCA = ""
        /// `none`, `verify-if-given` or `require`.
        public var clientAuth = "none"
        /// Lifetime of a generated server certificate; it is renewed when half of it has passed.
        public var generatedLifetimeHours = 7 * 24
        /// How often certificate files are checked for changes (SIGHUP reloads at once).
        public var reloadIntervalSeconds = 10
        /// Offer HTTP/2 by ALPN.
        public var http2 = true
        /// A plain-HTTP port that redirects to HTTPS; 0 for none.
        public var redirectPort = 0
    }

    /// How the server speaks to clients, worked out from `http.tls` and the listening address.
    public enum TransportMode: Sendable, Equatable {
        /// Plain HTTP.
        case plain
        /// TLS with the operator's certificate files.
        case files
        /// TLS with a certificate from Berth's CA.
        case generated
    }

    /// Plain HTTP, operator files or a generated certificate.
    public var transportMode: TransportMode {
        if !http.tls.certificate.isEmpty || !http.tls.key.isEmpty { return .files }
        switch http.tls.generate {
        case true?: return .generated
        case false?: return .plain
        case nil: return Self.isLoopback(http.address) ? .plain : .generated
        }
    }

    /// Whether `address` only reaches this machine.
    static func isLoopback(_ address: String) -> Bool {
        address == "localhost" || address.hasPrefix("127.") || address == "::1" || address == "[::1]"
    }

    /// Authentication settings.
    public struct Auth: Sendable, Equatable {
        /// Whether requests must authenticate. When false every request may do everything (a development registry).
        public var enabled = true
        /// Password of the `admin` user created at first start; generated and printed once when empty.
        public var adminPassword = ""
        /// `iss` of registry tokens.
        public var tokenIssuer = "berth-token-issuer"
        /// `service` of registry tokens and challenges.
        public var tokenService = "berth-registry"
        /// Lifetime of registry tokens.
        public var tokenExpirationMinutes = 30
        /// bcrypt cost for new passwords.
        public var bcryptCost = 10
        /// Failed logins of one account from one address after which that address may not try the account for a while.
        public var lockoutAccountThreshold = 5
        /// Failed logins from one address after which the address is locked.
        public var lockoutAddressThreshold = 20
        /// Whether `lockoutAccountThreshold` failures from anywhere lock the account for everyone (off: a guesser
        /// could lock anyone out).
        public var lockoutAccounts = false
        /// How long a lock lasts.
        public var lockoutSeconds = 300
    }

    /// Project settings.
    public struct Projects: Sendable, Equatable {
        /// Whether a push into a missing project creates it (private, the pusher as project admin).
        public var autoCreateOnPush = false
        /// `everyone` (any signed-in user may create projects) or `adminonly`.
        public var creationRestriction = "everyone"
        /// The share of a project's storage limit (percent, 1–100) whose crossing sends a `QUOTA_WARNING` event.
        public var quotaWarningPercent = 85
    }

    /// Storage settings.
    public struct Storage: Sendable, Equatable, Codable {
        /// Root directory of the filesystem driver; empty means `<dataDirectory>/storage`.
        public var filesystemRoot = ""
        /// Whether the filesystem driver `fsync`s data before a write counts as done (survives power loss).
        public var filesystemSync = true
        /// `filesystem` or `s3`.
        public var driver = "filesystem"
        /// S3 endpoint URL (empty: `https://s3.<region>.amazonaws.com`).
        public var s3Endpoint = ""
        /// S3 region.
        public var s3Region = "us-east-1"
        /// S3 bucket.
        public var s3Bucket = ""
        /// Key prefix inside the bucket.
        public var s3Prefix = ""
        /// Access key id (default: `AWS_ACCESS_KEY_ID`).
        public var s3AccessKey = ""
        /// Secret access key (default: `AWS_SECRET_ACCESS_KEY`).
        public var s3SecretKey = ""
        /// Path-style addressing (`endpoint/bucket/key`), which most S3-compatible servers need.
        public var s3PathStyle = true
        /// Answer blob pulls with a redirect to a presigned S3 URL.
        public var s3Redirect = false
    }

    /// Garbage-collection settings.
    public struct GarbageCollection: Sendable, Equatable, Codable {
        /// How long a blob a client was told exists (or just uploaded) is kept for the manifest that uses it, and the
        /// minimum age of a file before collection may delete it (Harbor's time window: two hours).
        public var graceSeconds: Int64 = 7200
    }

    /// Upload session settings.
    public struct Uploads: Sendable, Equatable, Codable {
        /// Sessions untouched this long are purged.
        public var maxAgeSeconds: Int64 = 24 * 3600
        /// How often the purge runs.
        public var purgeIntervalSeconds: Int64 = 3600
        /// Upload sessions one account (or, without authentication, one client address) may have open; 0 for no limit.
        public var maxSessionsPerAccount = 500
        /// Upload sessions one project may have open; 0 for no limit.
        public var maxSessionsPerProject = 5000
    }

    /// Where `/metrics` is served.
    public struct MetricsSettings: Sendable, Equatable, Codable {
        /// Whether `/metrics` is served at all.
        public var enabled = true
        /// 0: on the main listener, for system administrators; otherwise a plain-HTTP listener of its own on this port,
        /// open to whoever can reach `address` (as Harbor's exporter on port 9090).
        public var port = 0
        /// The address of the separate listener.
        public var address = "127.0.0.1"
    }

    /// Webhook delivery settings (Harbor's `notification` section).
    public struct Webhooks: Sendable, Equatable, Codable {
        /// Whether events are delivered to projects' webhook policies at all (Harbor's "Webhooks enabled").
        public var enabled = true
        /// How long a receiver has to answer one notification.
        public var timeoutSeconds = 10
        /// Attempts per notification: the first and its retries (Harbor's `webhook_job_max_retry` is 3 retries).
        public var maxAttempts = 4
        /// Ended executions kept per policy, newest first; older ones are swept (Harbor keeps 50).
        public var keepExecutions = 50
        /// How often old executions are swept.
        public var sweepIntervalSeconds: Int64 = 3600
    }

    /// Registry behaviour settings.
    public struct Registry: Sendable, Equatable, Codable {
        /// Whether DELETE of manifests, tags and blobs is allowed.
        public var deleteEnabled = true
    }

    /// Log settings.
    public struct Log: Sendable, Equatable, Codable {
        /// `trace`, `debug`, `info`, `notice`, `warning`, `error` or `critical`.
        public var level = "info"
        /// `text` (logfmt) or `json`.
        public var format = "text"
        /// Whether every request is logged.
        public var accessLog = true
    }

    /// The defaults.
    public init() {}

    /// The database URL with the default filled in.
    public var resolvedDatabase: String { database.isEmpty ? "sqlite:\(dataDirectory)/berth.db" : database }
    /// The storage root with the default filled in.
    public var resolvedStorageRoot: String { storage.filesystemRoot.isEmpty ? "\(dataDirectory)/storage" : storage.filesystemRoot }

    /// The log level as swift-log's type.
    public var logLevel: Logger.Level { Logger.Level(rawValue: log.level) ?? .info }

    /// Loads a YAML file over the defaults.
    public static func load(yamlFile path: String) throws -> BerthConfiguration {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ConfigurationError("cannot read configuration file \(path): \(error.localizedDescription)")
        }
        return try parse(yaml: text, source: path)
    }

    /// Parses YAML text over the defaults.
    public static func parse(yaml text: String, source: String = "configuration") throws -> BerthConfiguration {
        do {
            if let tree = try Yams.load(yaml: text) {
                try FileConfiguration.checkKeys(tree, allowed: FileConfiguration.allowedKeys, path: "")
            }
            let file = try YAMLDecoder().decode(FileConfiguration.self, from: text)
            var config = BerthConfiguration()
            file.apply(to: &config)
            try config.validate()
            return config
        } catch let error as ConfigurationError {
            throw error
        } catch {
            throw ConfigurationError("invalid \(source): \(error)")
        }
    }

    /// Applies `BERTH_*` environment variables (call `validate()` once every source is applied).
    public mutating func applyEnvironment(_ env: [String: String]) throws {
        if let v = env["BERTH_HTTP_ADDRESS"] { http.address = v }
        if let v = env["BERTH_HTTP_PORT"] { http.port = try Self.int(v, "BERTH_HTTP_PORT") }
        if let v = env["BERTH_DATA_DIR"] { dataDirectory = v }
        if let v = env["BERTH_DATABASE"] { database = v }
        if let v = env["BERTH_STORAGE_ROOT"] { storage.filesystemRoot = v }
        if let v = env["BERTH_STORAGE_SYNC"] { storage.filesystemSync = try Self.bool(v, "BERTH_STORAGE_SYNC") }
        if let v = env["BERTH_STORAGE_DRIVER"] { storage.driver = v }
        if let v = env["BERTH_S3_ENDPOINT"] { storage.s3Endpoint = v }
        if let v = env["BERTH_S3_REGION"] ?? env["AWS_REGION"] ?? env["AWS_DEFAULT_REGION"] { storage.s3Region = v }
        if let v = env["BERTH_S3_BUCKET"] { storage.s3Bucket = v }
        if let v = env["BERTH_S3_PREFIX"] { storage.s3Prefix = v }
        if let v = env["BERTH_S3_ACCESS_KEY"] ?? env["AWS_ACCESS_KEY_ID"], storage.s3AccessKey.isEmpty || env["BERTH_S3_ACCESS_KEY"] != nil { storage.s3AccessKey = v }
        if let v = env["BERTH_S3_SECRET_KEY"] ?? env["AWS_SECRET_ACCESS_KEY"], storage.s3SecretKey.isEmpty || env["BERTH_S3_SECRET_KEY"] != nil { storage.s3SecretKey = v }
        if let v = env["BERTH_S3_PATH_STYLE"] { storage.s3PathStyle = try Self.bool(v, "BERTH_S3_PATH_STYLE") }
        if let v = env["BERTH_S3_REDIRECT"] { storage.s3Redirect = try Self.bool(v, "BERTH_S3_REDIRECT") }
        if let v = env["BERTH_METRICS_ENABLED"] { metrics.enabled = try Self.bool(v, "BERTH_METRICS_ENABLED") }
        if let v = env["BERTH_METRICS_PORT"] { metrics.port = try Self.int(v, "BERTH_METRICS_PORT") }
        if let v = env["BERTH_METRICS_ADDRESS"] { metrics.address = v }
        if let v = env["BERTH_WEBHOOKS_ENABLED"] { webhooks.enabled = try Self.bool(v, "BERTH_WEBHOOKS_ENABLED") }
        if let v = env["BERTH_WEBHOOK_TIMEOUT_SECONDS"] { webhooks.timeoutSeconds = try Self.int(v, "BERTH_WEBHOOK_TIMEOUT_SECONDS") }
        if let v = env["BERTH_WEBHOOK_MAX_ATTEMPTS"] { webhooks.maxAttempts = try Self.int(v, "BERTH_WEBHOOK_MAX_ATTEMPTS") }
        if let v = env["BERTH_WEBHOOK_KEEP_EXECUTIONS"] { webhooks.keepExecutions = try Self.int(v, "BERTH_WEBHOOK_KEEP_EXECUTIONS") }
        if let v = env["BERTH_WEBHOOK_SWEEP_INTERVAL_SECONDS"] {
            webhooks.sweepIntervalSeconds = Int64(try Self.int(v, "BERTH_WEBHOOK_SWEEP_INTERVAL_SECONDS"))
        }
        if let v = env["BERTH_GC_GRACE_SECONDS"] { gc.graceSeconds = Int64(try Self.int(v, "BERTH_GC_GRACE_SECONDS")) }
        if let v = env["BERTH_UPLOAD_MAX_AGE_SECONDS"] { uploads.maxAgeSeconds = Int64(try Self.int(v, "BERTH_UPLOAD_MAX_AGE_SECONDS")) }
        if let v = env["BERTH_UPLOAD_PURGE_INTERVAL_SECONDS"] { uploads.purgeIntervalSeconds = Int64(try Self.int(v, "BERTH_UPLOAD_PURGE_INTERVAL_SECONDS")) }
        if let v = env["BERTH_UPLOAD_MAX_SESSIONS_PER_ACCOUNT"] { uploads.maxSessionsPerAccount = try Self.int(v, "BERTH_UPLOAD_MAX_SESSIONS_PER_ACCOUNT") }
        if let v = env["BERTH_UPLOAD_MAX_SESSIONS_PER_PROJECT"] { uploads.maxSessionsPerProject = try Self.int(v, "BERTH_UPLOAD_MAX_SESSIONS_PER_PROJECT") }
        if let v = env["BERTH_DELETE_ENABLED"] { registry.deleteEnabled = try Self.bool(v, "BERTH_DELETE_ENABLED") }
        if let v = env["BERTH_LOG_LEVEL"] { log.level = v }
        if let v = env["BERTH_LOG_FORMAT"] { log.format = v }
        if let v = env["BERTH_ACCESS_LOG"] { log.accessLog = try Self.bool(v, "BERTH_ACCESS_LOG") }
        if let v = env["BERTH_EXTERNAL_URL"] { http.externalURL = v }
        if let v = env["BERTH_AUTH_ENABLED"] { auth.enabled = try Self.bool(v, "BERTH_AUTH_ENABLED") }
        if let v = env["BERTH_ADMIN_PASSWORD"] { auth.adminPassword = v }
        if let v = env["BERTH_AUTH_TOKEN_ISSUER"] { auth.tokenIssuer = v }
        if let v = env["BERTH_AUTH_TOKEN_SERVICE"] { auth.tokenService = v }
        if let v = env["BERTH_AUTH_TOKEN_EXPIRATION_MINUTES"] { auth.tokenExpirationMinutes = try Self.int(v, "BERTH_AUTH_TOKEN_EXPIRATION_MINUTES") }
        if let v = env["BERTH_AUTH_LOCKOUT_SECONDS"] { auth.lockoutSeconds = try Self.int(v, "BERTH_AUTH_LOCKOUT_SECONDS") }
        if let v = env["BERTH_AUTH_LOCKOUT_ACCOUNT_THRESHOLD"] { auth.lockoutAccountThreshold = try Self.int(v, "BERTH_AUTH_LOCKOUT_ACCOUNT_THRESHOLD") }
        if let v = env["BERTH_AUTH_LOCKOUT_ADDRESS_THRESHOLD"] { auth.lockoutAddressThreshold = try Self.int(v, "BERTH_AUTH_LOCKOUT_ADDRESS_THRESHOLD") }
        if let v = env["BERTH_AUTH_LOCKOUT_ACCOUNTS"] { auth.lockoutAccounts = try Self.bool(v, "BERTH_AUTH_LOCKOUT_ACCOUNTS") }
        if let v = env["BERTH_HTTP_HEADER_TIMEOUT_SECONDS"] { http.headerTimeoutSeconds = try Self.int(v, "BERTH_HTTP_HEADER_TIMEOUT_SECONDS") }
        if let v = env["BERTH_HTTP_IDLE_TIMEOUT_SECONDS"] { http.idleTimeoutSeconds = try Self.int(v, "BERTH_HTTP_IDLE_TIMEOUT_SECONDS") }
        if let v = env["BERTH_HTTP_BODY_STALL_TIMEOUT_SECONDS"] { http.bodyStallTimeoutSeconds = try Self.int(v, "BERTH_HTTP_BODY_STALL_TIMEOUT_SECONDS") }
        if let v = env["BERTH_HTTP_MAX_CONNECTIONS"] { http.maxConnections = try Self.int(v, "BERTH_HTTP_MAX_CONNECTIONS") }
        if let v = env["BERTH_TRUSTED_PROXIES"] {
            http.trustedProxies = v.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        if let v = env["BERTH_TLS_CERTIFICATE"] { http.tls.certificate = v }
        if let v = env["BERTH_TLS_KEY"] { http.tls.key = v }
        if let v = env["BERTH_TLS_GENERATE"] { http.tls.generate = try Self.bool(v, "BERTH_TLS_GENERATE") }
        if let v = env["BERTH_TLS_HOSTNAMES"] {
            http.tls.hostnames = v.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        if let v = env["BERTH_TLS_CLIENT_CA"] { http.tls.clientCA = v }
        if let v = env["BERTH_TLS_CLIENT_AUTH"] { http.tls.clientAuth = v }
        if let v = env["BERTH_TLS_GENERATED_LIFETIME_HOURS"] { http.tls.generatedLifetimeHours = try Self.int(v, "BERTH_TLS_GENERATED_LIFETIME_HOURS") }
        if let v = env["BERTH_TLS_RELOAD_INTERVAL_SECONDS"] { http.tls.reloadIntervalSeconds = try Self.int(v, "BERTH_TLS_RELOAD_INTERVAL_SECONDS") }
        if let v = env["BERTH_TLS_HTTP2"] { http.tls.http2 = try Self.bool(v, "BERTH_TLS_HTTP2") }
        if let v = env["BERTH_TLS_REDIRECT_PORT"] { http.tls.redirectPort = try Self.int(v, "BERTH_TLS_REDIRECT_PORT") }
        if let v = env["BERTH_AUTH_BCRYPT_COST"] { auth.bcryptCost = try Self.int(v, "BERTH_AUTH_BCRYPT_COST") }
        let ldapStrings: [(String, WritableKeyPath<LDAPSettings, String>)] = [
            ("URL", \.url), ("SEARCH_DN", \.searchDN), ("SEARCH_PASSWORD", \.searchPassword), ("BASE_DN", \.baseDN), ("FILTER", \.filter),
            ("UID_ATTRIBUTE", \.uidAttribute), ("SCOPE", \.scope), ("CA_FILE", \.caFile), ("GROUP_BASE_DN", \.groupBaseDN),
            ("GROUP_FILTER", \.groupFilter), ("GROUP_NAME_ATTRIBUTE", \.groupNameAttribute), ("GROUP_SCOPE", \.groupScope),
            ("GROUP_ADMIN_DN", \.groupAdminDN), ("GROUP_MEMBERSHIP_ATTRIBUTE", \.groupMembershipAttribute),
        ]
        for (suffix, path) in ldapStrings { if let v = env["BERTH_LDAP_" + suffix] { ldap[keyPath: path] = v } }
        if let v = env["BERTH_LDAP_START_TLS"] { ldap.startTLS = try Self.bool(v, "BERTH_LDAP_START_TLS") }
        if let v = env["BERTH_LDAP_VERIFY_CERT"] { ldap.verifyCertificate = try Self.bool(v, "BERTH_LDAP_VERIFY_CERT") }
        if let v = env["BERTH_LDAP_TIMEOUT_SECONDS"] { ldap.timeoutSeconds = try Self.int(v, "BERTH_LDAP_TIMEOUT_SECONDS") }
        if let v = env["BERTH_PROJECTS_AUTO_CREATE"] { projects.autoCreateOnPush = try Self.bool(v, "BERTH_PROJECTS_AUTO_CREATE") }
        if let v = env["BERTH_PROJECTS_QUOTA_WARNING_PERCENT"] {
            projects.quotaWarningPercent = try Self.int(v, "BERTH_PROJECTS_QUOTA_WARNING_PERCENT")
        }
    }

    /// Checks values that have a fixed set of choices or a range.
    public func validate() throws {
        guard (0 ... 65535).contains(http.port) else { throw ConfigurationError("http.port must be between 0 and 65535") }
        for (name, value) in [("headerTimeoutSeconds", http.headerTimeoutSeconds), ("idleTimeoutSeconds", http.idleTimeoutSeconds),
                              ("bodyStallTimeoutSeconds", http.bodyStallTimeoutSeconds)] where !(1 ... 86_400).contains(value) {
            throw ConfigurationError("http.\(name) must be between 1 and 86400")
        }
        guard (1 ... 1_000_000).contains(http.maxConnections) else { throw ConfigurationError("http.maxConnections must be between 1 and 1000000") }
        try validateTLS()
        guard Logger.Level(rawValue: log.level) != nil else {
            throw ConfigurationError("log.level must be one of trace, debug, info, notice, warning, error, critical")
        }
        guard ["text", "json"].contains(log.format) else { throw ConfigurationError("log.format must be text or json") }
        guard resolvedDatabase.hasPrefix("sqlite:") || resolvedDatabase.hasPrefix("postgres://") || resolvedDatabase.hasPrefix("postgresql://") else {
            throw ConfigurationError("database must be a sqlite:<path> or postgres://user:password@host:port/database URL")
        }
        // Upper bounds keep every later multiplication (seconds to milliseconds, say) far from overflowing.
        let tenYears: Int64 = 10 * 366 * 86_400
        guard (0 ... 31_536_000).contains(gc.graceSeconds) else { throw ConfigurationError("gc.graceSeconds must be between 0 and 31536000 (a year)") }
        guard (1 ... tenYears).contains(uploads.maxAgeSeconds), (1 ... tenYears).contains(uploads.purgeIntervalSeconds) else {
            throw ConfigurationError("uploads.maxAgeSeconds and uploads.purgeIntervalSeconds must be between 1 and \(tenYears) seconds")
        }
        guard (0 ... 1_000_000).contains(uploads.maxSessionsPerAccount), (0 ... 1_000_000).contains(uploads.maxSessionsPerProject) else {
            throw ConfigurationError("uploads.maxSessionsPerAccount and uploads.maxSessionsPerProject must be between 0 (no limit) and 1000000")
        }
        guard (0 ... 65535).contains(metrics.port) else { throw ConfigurationError("metrics.port must be between 0 (the main listener) and 65535") }
        guard (1 ... 300).contains(webhooks.timeoutSeconds), (1 ... 20).contains(webhooks.maxAttempts) else {
            throw ConfigurationError("webhooks.timeoutSeconds must be between 1 and 300 and webhooks.maxAttempts between 1 and 20")
        }
        guard (1 ... 1_000_000).contains(webhooks.keepExecutions), (1 ... 86_400).contains(webhooks.sweepIntervalSeconds) else {
            throw ConfigurationError("webhooks.keepExecutions must be between 1 and 1000000 and webhooks.sweepIntervalSeconds between 1 and 86400")
        }
        guard ["filesystem", "s3"].contains(storage.driver) else { throw ConfigurationError("storage.driver must be filesystem or s3") }
        if storage.driver == "s3" {
            guard !storage.s3Bucket.isEmpty else { throw ConfigurationError("storage.s3.bucket is required with the s3 driver") }
            guard !storage.s3AccessKey.isEmpty, !storage.s3SecretKey.isEmpty else {
                throw ConfigurationError("storage.s3.accessKey and secretKey (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) are required with the s3 driver")
            }
        }
        guard (4 ... 16).contains(auth.bcryptCost) else { throw ConfigurationError("auth.bcryptCost must be between 4 and 16") }
        guard (1 ... 525_600).contains(auth.tokenExpirationMinutes) else {
            throw ConfigurationError("auth.tokenExpirationMinutes must be between 1 and 525600 (a year)")
        }
        guard (1 ... 1_000_000).contains(auth.lockoutAccountThreshold), (1 ... 1_000_000).contains(auth.lockoutAddressThreshold),
              (0 ... 31_622_400).contains(auth.lockoutSeconds) else {
            throw ConfigurationError("auth.lockout thresholds must be between 1 and 1000000 and auth.lockoutSeconds between 0 and 31622400")
        }
        if ldap.isEnabled {
            do { _ = try LDAPURL(ldap.url) } catch { throw ConfigurationError("ldap.url: \(error)") }
            guard !ldap.baseDN.isEmpty else { throw ConfigurationError("ldap.baseDN is required when ldap.url is set") }
            guard (1 ... 300).contains(ldap.timeoutSeconds) else { throw ConfigurationError("ldap.timeoutSeconds must be between 1 and 300") }
        }
        for proxy in http.trustedProxies where IPNetwork(proxy) == nil {
            throw ConfigurationError("http.trustedProxies: \(proxy) is not an IP address or CIDR network (10.0.0.0/8, fd00::/8)")
        }
        guard (1 ... 100).contains(projects.quotaWarningPercent) else {
            throw ConfigurationError("projects.quotaWarningPercent must be between 1 and 100")
        }
        guard ["everyone", "adminonly"].contains(projects.creationRestriction) else {
            throw ConfigurationError("projects.creationRestriction must be everyone or adminonly")
        }
    }

    private func validateTLS() throws {
        let tls = http.tls
        if !tls.certificate.isEmpty || !tls.key.isEmpty {
            guard !tls.certificate.isEmpty, !tls.key.isEmpty else { throw ConfigurationError("http.tls.certificate and http.tls.key go together") }
            guard tls.generate != true else { throw ConfigurationError("http.tls.generate cannot be combined with certificate files") }
        }
        guard ["none", "verify-if-given", "require"].contains(tls.clientAuth) else {
            throw ConfigurationError("http.tls.clientAuth must be none, verify-if-given or require")
        }
        if tls.clientAuth != "none" {
            guard !tls.clientCA.isEmpty else { throw ConfigurationError("http.tls.clientAuth \(tls.clientAuth) needs http.tls.clientCA") }
            guard transportMode != .plain else { throw ConfigurationError("http.tls.clientAuth needs TLS (certificate files or generate: true)") }
        }
        guard (1 ... 24 * 3650).contains(tls.generatedLifetimeHours) else {
            throw ConfigurationError("http.tls.generatedLifetimeHours must be between 1 and 87600")
        }
        guard (1 ... 86_400).contains(tls.reloadIntervalSeconds) else { throw ConfigurationError("http.tls.reloadIntervalSeconds must be between 1 and 86400") }
        guard (0 ... 65535).contains(tls.redirectPort) else { throw ConfigurationError("http.tls.redirectPort must be between 0 and 65535") }
        if tls.redirectPort != 0, transportMode == .plain { throw ConfigurationError("http.tls.redirectPort needs TLS") }
    }

    private static func int(_ text: String, _ name: String) throws -> Int {
        guard let v = Int(text) else { throw ConfigurationError("\(name) must be an integer") }
        return v
    }

    private static func bool(_ text: String, _ name: String) throws -> Bool {
        switch text.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ConfigurationError("\(name) must be true or false")
        }
    }
}

/// A configuration problem, reported to the operator before the server starts.
public struct ConfigurationError: Error, CustomStringConvertible {
    /// What is wrong.
    public let description: String
    /// Creates the error.
    public init(_ description: String) { self.description = description }
}
