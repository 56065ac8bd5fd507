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
    /// Metadata database URL: `sqlite:<path>`; empty means `sqlite:<dataDirectory>/berth.db`.
    public var database = ""
    /// Storage configuration.
    public var storage = Storage()
    /// Upload session housekeeping.
    public var uploads = Uploads()
    /// Registry behaviour.
    public var registry = Registry()
    /// Logging.
    public var log = Log()

    /// HTTP listener settings.
    public struct HTTP: Sendable, Equatable, Codable {
        /// Address to bind.
        public var address = "127.0.0.1"
        /// Port to bind (0 picks a free one).
        public var port = 5000
    }

    /// Storage settings.
    public struct Storage: Sendable, Equatable, Codable {
        /// Root directory of the filesystem driver; empty means `<dataDirectory>/storage`.
        public var filesystemRoot = ""
        /// Whether the filesystem driver `fsync`s data before a write counts as done (survives power loss).
        public var filesystemSync = true
    }

    /// Upload session settings.
    public struct Uploads: Sendable, Equatable, Codable {
        /// Sessions untouched this long are purged.
        public var maxAgeSeconds: Int64 = 24 * 3600
        /// How often the purge runs.
        public var purgeIntervalSeconds: Int64 = 3600
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

    /// Applies `BERTH_*` environment variables.
    public mutating func applyEnvironment(_ env: [String: String]) throws {
        if let v = env["BERTH_HTTP_ADDRESS"] { http.address = v }
        if let v = env["BERTH_HTTP_PORT"] { http.port = try Self.int(v, "BERTH_HTTP_PORT") }
        if let v = env["BERTH_DATA_DIR"] { dataDirectory = v }
        if let v = env["BERTH_DATABASE"] { database = v }
        if let v = env["BERTH_STORAGE_ROOT"] { storage.filesystemRoot = v }
        if let v = env["BERTH_STORAGE_SYNC"] { storage.filesystemSync = try Self.bool(v, "BERTH_STORAGE_SYNC") }
        if let v = env["BERTH_UPLOAD_MAX_AGE_SECONDS"] { uploads.maxAgeSeconds = Int64(try Self.int(v, "BERTH_UPLOAD_MAX_AGE_SECONDS")) }
        if let v = env["BERTH_UPLOAD_PURGE_INTERVAL_SECONDS"] { uploads.purgeIntervalSeconds = Int64(try Self.int(v, "BERTH_UPLOAD_PURGE_INTERVAL_SECONDS")) }
        if let v = env["BERTH_DELETE_ENABLED"] { registry.deleteEnabled = try Self.bool(v, "BERTH_DELETE_ENABLED") }
        if let v = env["BERTH_LOG_LEVEL"] { log.level = v }
        if let v = env["BERTH_LOG_FORMAT"] { log.format = v }
        if let v = env["BERTH_ACCESS_LOG"] { log.accessLog = try Self.bool(v, "BERTH_ACCESS_LOG") }
        try validate()
    }

    /// Checks values that have a fixed set of choices or a range.
    public func validate() throws {
        guard (0 ... 65535).contains(http.port) else { throw ConfigurationError("http.port must be between 0 and 65535") }
        guard Logger.Level(rawValue: log.level) != nil else {
            throw ConfigurationError("log.level must be one of trace, debug, info, notice, warning, error, critical")
        }
        guard ["text", "json"].contains(log.format) else { throw ConfigurationError("log.format must be text or json") }
        guard resolvedDatabase.hasPrefix("sqlite:") else {
            throw ConfigurationError("database must be a sqlite:<path> URL (PostgreSQL support comes later)")
        }
        guard uploads.maxAgeSeconds > 0, uploads.purgeIntervalSeconds > 0 else {
            throw ConfigurationError("uploads.maxAgeSeconds and uploads.purgeIntervalSeconds must be positive")
        }
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
    init(_ description: String) { self.description = description }
}

/// The YAML file's shape: every key optional, unknown keys rejected.
struct FileConfiguration: Decodable {
    /// Every key the file may hold; a nested dictionary lists a section's keys.
    static var allowedKeys: [String: Any] { [
        "http": ["address": true, "port": true],
        "dataDirectory": true,
        "database": true,
        "storage": ["filesystem": ["root": true, "sync": true]],
        "uploads": ["maxAgeSeconds": true, "purgeIntervalSeconds": true],
        "registry": ["deleteEnabled": true],
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

    struct HTTP: Decodable { var address: String?; var port: Int? }
    struct Storage: Decodable {
        struct Filesystem: Decodable { var root: String?; var sync: Bool? }
        var filesystem: Filesystem?
    }
    struct Uploads: Decodable { var maxAgeSeconds: Int64?; var purgeIntervalSeconds: Int64? }
    struct Registry: Decodable { var deleteEnabled: Bool? }
    struct Log: Decodable { var level: String?; var format: String?; var accessLog: Bool? }

    var http: HTTP?
    var dataDirectory: String?
    var database: String?
    var storage: Storage?
    var uploads: Uploads?
    var registry: Registry?
    var log: Log?

    func apply(to c: inout BerthConfiguration) {
        if let v = http?.address { c.http.address = v }
        if let v = http?.port { c.http.port = v }
        if let v = dataDirectory { c.dataDirectory = v }
        if let v = database { c.database = v }
        if let v = storage?.filesystem?.root { c.storage.filesystemRoot = v }
        if let v = storage?.filesystem?.sync { c.storage.filesystemSync = v }
        if let v = uploads?.maxAgeSeconds { c.uploads.maxAgeSeconds = v }
        if let v = uploads?.purgeIntervalSeconds { c.uploads.purgeIntervalSeconds = v }
        if let v = registry?.deleteEnabled { c.registry.deleteEnabled = v }
        if let v = log?.level { c.log.level = v }
        if let v = log?.format { c.log.format = v }
        if let v = log?.accessLog { c.log.accessLog = v }
    }
}
