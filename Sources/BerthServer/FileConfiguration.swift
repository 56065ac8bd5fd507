import Auth
import Foundation

/// The YAML file's shape: every key optional, unknown keys rejected.
struct FileConfiguration: Decodable {
    /// Every key the file may hold; a nested dictionary lists a section's keys.
    static var allowedKeys: [String: Any] { [
        "http": ["address": true, "port": true, "externalURL": true, "trustedProxies": true, "headerTimeoutSeconds": true, "idleTimeoutSeconds": true,
                 "bodyStallTimeoutSeconds": true, "maxConnections": true,
                 "tls": ["certificate": true, "key": true, "generate": true, "hostnames": true, "clientCA": true, "clientAuth": true,
                         "generatedLifetimeHours": true, "reloadIntervalSeconds": true, "http2": true, "redirectPort": true]],
        "auth": ["enabled": true, "adminPassword": true, "tokenIssuer": true, "tokenService": true, "tokenExpirationMinutes": true,
                 "bcryptCost": true, "lockout": ["accountThreshold": true, "addressThreshold": true, "seconds": true, "lockAccounts": true]],
        "projects": ["autoCreateOnPush": true, "creationRestriction": true, "quotaWarningPercent": true],
        "ldap": ["url": true, "startTLS": true, "searchDN": true, "searchPassword": true, "baseDN": true, "filter": true, "uidAttribute": true,
                 "scope": true, "timeoutSeconds": true, "verifyCertificate": true, "caFile": true, "groupBaseDN": true, "groupFilter": true,
                 "groupNameAttribute": true, "groupScope": true, "groupAdminDN": true, "groupMembershipAttribute": true],
        "dataDirectory": true,
        "database": true,
        "storage": ["driver": true, "filesystem": ["root": true, "sync": true],
                    "s3": ["endpoint": true, "region": true, "bucket": true, "prefix": true, "accessKey": true, "secretKey": true, "pathStyle": true, "redirect": true]],
        "uploads": ["maxAgeSeconds": true, "purgeIntervalSeconds": true, "maxSessionsPerAccount": true, "maxSessionsPerProject": true],
        "registry": ["deleteEnabled": true],
        "gc": ["graceSeconds": true],
        "webhooks": ["enabled": true, "timeoutSeconds": true, "maxAttempts": true, "keepExecutions": true, "sweepIntervalSeconds": true],
        "metrics": ["enabled": true, "port": true, "address": true],
        "log": ["level": true, "format": true, "accessLog": true],
    ] }

    /// Rejects keys the configuration does not know, so a misspelt setting is not silently ignored.
    static func checkKeys(_ node: Any, allowed: [String: Any], path: String) throws {
        guard let map = node as? [String: Any] else {
            throw ConfigurationError("\(path.isEmpty ? "the configuration" : path) must be a mapping")
        }
        for (key, value) in map {
            let here = path.isEmpty ? key : "\(path).\(key)"
            guard let rule = allowed[key] else { throw ConfigurationError("unknown configuration key \(here)") }
            if let section = rule as? [String: Any], !(value is NSNull) {
                try checkKeys(value, allowed: section, path: here)
            }
        }
    }

    struct HTTP: Decodable {
        var address: String?; var port: Int?; var externalURL: String?; var trustedProxies: [String]?
        var headerTimeoutSeconds: Int?; var idleTimeoutSeconds: Int?; var bodyStallTimeoutSeconds: Int?; var maxConnections: Int?
        var tls: TLS?
    }
    struct TLS: Decodable {
        var certificate: String?; var key: String?; var generate: Bool?; var hostnames: [String]?; var clientCA: String?; var clientAuth: String?
        var generatedLifetimeHours: Int?; var reloadIntervalSeconds: Int?; var http2: Bool?; var redirectPort: Int?
    }
    struct Auth: Decodable {
        struct Lockout: Decodable { var accountThreshold: Int?; var addressThreshold: Int?; var seconds: Int?; var lockAccounts: Bool? }
        var enabled: Bool?; var adminPassword: String?; var tokenIssuer: String?; var tokenService: String?
        var tokenExpirationMinutes: Int?; var bcryptCost: Int?; var lockout: Lockout?
    }
    struct Projects: Decodable { var autoCreateOnPush: Bool?; var creationRestriction: String?; var quotaWarningPercent: Int? }
    struct LDAP: Decodable {
        var url: String?; var startTLS: Bool?; var searchDN: String?; var searchPassword: String?; var baseDN: String?; var filter: String?
        var uidAttribute: String?; var scope: String?; var timeoutSeconds: Int?; var verifyCertificate: Bool?; var caFile: String?
        var groupBaseDN: String?; var groupFilter: String?; var groupNameAttribute: String?; var groupScope: String?; var groupAdminDN: String?
        var groupMembershipAttribute: String?
    }
    struct Storage: Decodable {
        struct Filesystem: Decodable { var root: String?; var sync: Bool? }
        struct S3: Decodable {
            var endpoint: String?; var region: String?; var bucket: String?; var prefix: String?
            var accessKey: String?; var secretKey: String?; var pathStyle: Bool?; var redirect: Bool?
        }
        var driver: String?
        var filesystem: Filesystem?
        var s3: S3?
    }
    struct Uploads: Decodable { var maxAgeSeconds: Int64?; var purgeIntervalSeconds: Int64?; var maxSessionsPerAccount: Int?; var maxSessionsPerProject: Int? }
    struct Registry: Decodable { var deleteEnabled: Bool? }
    struct Webhooks: Decodable { var enabled: Bool?; var timeoutSeconds: Int?; var maxAttempts: Int?; var keepExecutions: Int?; var sweepIntervalSeconds: Int64? }
    struct Metrics: Decodable { var enabled: Bool?; var port: Int?; var address: String? }
    struct Log: Decodable { var level: String?; var format: String?; var accessLog: Bool? }
    struct GC: Decodable { var graceSeconds: Int64? }

    var http: HTTP?
    var dataDirectory: String?
    var database: String?
    var storage: Storage?
    var uploads: Uploads?
    var registry: Registry?
    var gc: GC?
    var webhooks: Webhooks?
    var metrics: Metrics?
    var log: Log?
    var auth: Auth?
    var projects: Projects?
    var ldap: LDAP?

    func apply(to c: inout BerthConfiguration) {
        if let l = ldap {
            let strings: [(String?, WritableKeyPath<LDAPSettings, String>)] = [
                (l.url, \.url), (l.searchDN, \.searchDN), (l.searchPassword, \.searchPassword), (l.baseDN, \.baseDN), (l.filter, \.filter),
                (l.uidAttribute, \.uidAttribute), (l.scope, \.scope), (l.caFile, \.caFile), (l.groupBaseDN, \.groupBaseDN),
                (l.groupFilter, \.groupFilter), (l.groupNameAttribute, \.groupNameAttribute), (l.groupScope, \.groupScope),
                (l.groupAdminDN, \.groupAdminDN), (l.groupMembershipAttribute, \.groupMembershipAttribute),
            ]
            for (value, path) in strings { if let value { c.ldap[keyPath: path] = value } }
            if let v = l.startTLS { c.ldap.startTLS = v }
            if let v = l.verifyCertificate { c.ldap.verifyCertificate = v }
            if let v = l.timeoutSeconds { c.ldap.timeoutSeconds = v }
        }
        if let v = http?.externalURL { c.http.externalURL = v }
        if let v = auth?.enabled { c.auth.enabled = v }
        if let v = auth?.adminPassword { c.auth.adminPassword = v }
        if let v = auth?.tokenIssuer { c.auth.tokenIssuer = v }
        if let v = auth?.tokenService { c.auth.tokenService = v }
        if let v = auth?.tokenExpirationMinutes { c.auth.tokenExpirationMinutes = v }
        if let v = auth?.bcryptCost { c.auth.bcryptCost = v }
        if let v = auth?.lockout?.accountThreshold { c.auth.lockoutAccountThreshold = v }
        if let v = auth?.lockout?.addressThreshold { c.auth.lockoutAddressThreshold = v }
        if let v = auth?.lockout?.seconds { c.auth.lockoutSeconds = v }
        if let v = auth?.lockout?.lockAccounts { c.auth.lockoutAccounts = v }
        if let v = http?.trustedProxies { c.http.trustedProxies = v }
        if let v = http?.headerTimeoutSeconds { c.http.headerTimeoutSeconds = v }
        if let v = http?.idleTimeoutSeconds { c.http.idleTimeoutSeconds = v }
        if let v = http?.bodyStallTimeoutSeconds { c.http.bodyStallTimeoutSeconds = v }
        if let v = http?.maxConnections { c.http.maxConnections = v }
        if let t = http?.tls {
            if let v = t.certificate { c.http.tls.certificate = v }
            if let v = t.key { c.http.tls.key = v }
            if let v = t.generate { c.http.tls.generate = v }
            if let v = t.hostnames { c.http.tls.hostnames = v }
            if let v = t.clientCA { c.http.tls.clientCA = v }
            if let v = t.clientAuth { c.http.tls.clientAuth = v }
            if let v = t.generatedLifetimeHours { c.http.tls.generatedLifetimeHours = v }
            if let v = t.reloadIntervalSeconds { c.http.tls.reloadIntervalSeconds = v }
            if let v = t.http2 { c.http.tls.http2 = v }
            if let v = t.redirectPort { c.http.tls.redirectPort = v }
        }
        if let v = projects?.autoCreateOnPush { c.projects.autoCreateOnPush = v }
        if let v = projects?.creationRestriction { c.projects.creationRestriction = v }
        if let v = projects?.quotaWarningPercent { c.projects.quotaWarningPercent = v }
        if let v = http?.address { c.http.address = v }
        if let v = http?.port { c.http.port = v }
        if let v = dataDirectory { c.dataDirectory = v }
        if let v = database { c.database = v }
        if let v = storage?.filesystem?.root { c.storage.filesystemRoot = v }
        if let v = storage?.filesystem?.sync { c.storage.filesystemSync = v }
        if let v = storage?.driver { c.storage.driver = v }
        if let s3 = storage?.s3 {
            if let v = s3.endpoint { c.storage.s3Endpoint = v }
            if let v = s3.region { c.storage.s3Region = v }
            if let v = s3.bucket { c.storage.s3Bucket = v }
            if let v = s3.prefix { c.storage.s3Prefix = v }
            if let v = s3.accessKey { c.storage.s3AccessKey = v }
            if let v = s3.secretKey { c.storage.s3SecretKey = v }
            if let v = s3.pathStyle { c.storage.s3PathStyle = v }
            if let v = s3.redirect { c.storage.s3Redirect = v }
        }
        if let v = gc?.graceSeconds { c.gc.graceSeconds = v }
        if let v = uploads?.maxAgeSeconds { c.uploads.maxAgeSeconds = v }
        if let v = uploads?.purgeIntervalSeconds { c.uploads.purgeIntervalSeconds = v }
        if let v = uploads?.maxSessionsPerAccount { c.uploads.maxSessionsPerAccount = v }
        if let v = uploads?.maxSessionsPerProject { c.uploads.maxSessionsPerProject = v }
        if let v = registry?.deleteEnabled { c.registry.deleteEnabled = v }
        if let v = webhooks?.enabled { c.webhooks.enabled = v }
        if let v = webhooks?.timeoutSeconds { c.webhooks.timeoutSeconds = v }
        if let v = webhooks?.maxAttempts { c.webhooks.maxAttempts = v }
        if let v = webhooks?.keepExecutions { c.webhooks.keepExecutions = v }
        if let v = webhooks?.sweepIntervalSeconds { c.webhooks.sweepIntervalSeconds = v }
        if let v = metrics?.enabled { c.metrics.enabled = v }
        if let v = metrics?.port { c.metrics.port = v }
        if let v = metrics?.address { c.metrics.address = v }
        if let v = log?.level { c.log.level = v }
        if let v = log?.format { c.log.format = v }
        if let v = log?.accessLog { c.log.accessLog = v }
    }
}
