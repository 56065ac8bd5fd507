// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "berth",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "berth", targets: ["berth"]),
        .executable(name: "berth-bench", targets: ["BerthBench"]),
        .executable(name: "berth-fuzz", targets: ["BerthFuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-nio-http2.git", from: "1.46.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
    ],
    targets: [
        // SHA-256/512 from the system's libcrypto, with a hash state that can be saved and resumed.
        .target(name: "CBerthDigest", linkerSettings: [.linkedLibrary("crypto")]),
        // System calls and settings Swift cannot reach directly (glibc malloc, Linux sync_file_range).
        .target(name: "CBerthSystem"),
        // Streaming gzip and raw deflate through the system zlib, and Zstandard through libzstd.so.1 loaded at run time.
        .target(name: "CBerthCompress", linkerSettings: [.linkedLibrary("z"), .linkedLibrary("dl")]),
        // rpm databases (SQLite) read in memory through libsqlite3.so.0 loaded at run time.
        .target(name: "CBerthRpmDB", linkerSettings: [.linkedLibrary("dl")]),
        // A client for remote OCI registries (token challenge flow, manifests, streamed blobs, retries), used by the
        // scanner-adapter scans and by replication.
        .target(
            name: "RegistryClient",
            dependencies: ["OCI", .product(name: "AsyncHTTPClient", package: "async-http-client"), .product(name: "NIOCore", package: "swift-nio"),
                           .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
                           .product(name: "NIOFoundationCompat", package: "swift-nio"), .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "OCI",
            dependencies: ["CBerthDigest"],
            swiftSettings: swiftSettings
        ),
        // Untrusted management-API input with no dependencies (so it can be fuzzed on its own): account names and
        // Harbor's list query language.
        .target(name: "APIInput", swiftSettings: swiftSettings),
        // The version orders of package ecosystems (dpkg, rpm, apk, PEP 440, semver, Maven), with no dependencies so
        // they can be fuzzed on their own; the scanner matches installed versions against advisories with them.
        .target(name: "PackageVersions", swiftSettings: swiftSettings),
        // Replication rules without server dependencies (fuzzable): Harbor's name and tag patterns, destination naming.
        .target(name: "Replication", swiftSettings: swiftSettings),
        // Vulnerability scanning: reading image layers (tar streams), package inventories, advisories and matching.
        .target(name: "Scanner", dependencies: ["PackageVersions", "CBerthCompress", "CBerthRpmDB"], swiftSettings: swiftSettings),
        // TLS identities: Berth's own CA and the server certificates it issues, operators' certificate files, the
        // context each new connection takes, and the files that make a node trust the registry.
        .target(
            name: "Certificates",
            dependencies: [
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Storage",
            dependencies: [
                "OCI", "CBerthSystem",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Metadata",
            dependencies: [
                "OCI", "APIInput",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Jobs",
            dependencies: ["Metadata", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .target(
            // Domain events: the dispatcher that hands outbox events to subscribers (audit, webhooks, …).
            name: "Events",
            dependencies: ["Metadata", .product(name: "SQLKit", package: "sql-kit"), .product(name: "Logging", package: "swift-log"),
                           .product(name: "Metrics", package: "swift-metrics")],
            swiftSettings: swiftSettings
        ),
        .target(
            // Harbor's webhooks: the subscriber that turns events into deliveries, payload formats, the delivery job.
            name: "Webhooks",
            dependencies: [
                "Metadata", "Events", "Jobs",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Registry",
            dependencies: [
                "OCI", "Storage", "Metadata", "Replication",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Auth",
            dependencies: [
                "OCI", "Metadata", "APIInput",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            // Vulnerability scanning in the registry: indexing stored images, importing advisories, matching.
            name: "Scanning",
            dependencies: [
                "Scanner", "Metadata", "Registry", "Storage", "OCI", "Jobs", "Events", "APIInput", "RegistryClient",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            // Replication between registries: listing, copying artifacts, event-based runs (jobs and an event subscriber).
            name: "Replicating",
            dependencies: [
                "Replication", "RegistryClient", "Metadata", "Jobs", "Events", "OCI", "APIInput", "Registry",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Management",
            dependencies: [
                "OCI", "Metadata", "Registry", "Auth", "APIInput", "Scanner", "Scanning", "Jobs", "RegistryClient", "Replication",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "HTTPAPI",
            dependencies: [
                "OCI", "APIInput", "Registry", "Auth", "Metadata", "Management", "Certificates", "Scanning",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOHTTPTypesHTTP2", package: "swift-nio-extras"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            // The web portal: server-rendered pages (Mustache templates and assets compiled in) over the management services.
            name: "Portal",
            dependencies: [
                "OCI", "APIInput", "Auth", "Management", "HTTPAPI", "Replication",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "BerthServer",
            dependencies: [
                "OCI", "APIInput", "Storage", "Metadata", "Registry", "HTTPAPI", "Auth", "Management", "Jobs", "Certificates", "Events", "Webhooks",
                "Portal", "Scanner", "Scanning", "Replicating", "RegistryClient",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "berth",
            dependencies: [
                "BerthServer", "CBerthSystem", "Certificates", "Scanner", "Registry",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "BerthBench",
            dependencies: [
                "OCI",
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        // Fuzz targets for the parsers of untrusted input (scripts/fuzz builds them with libFuzzer; an ordinary build
        // replays inputs).
        .executableTarget(name: "BerthFuzz", dependencies: ["OCI", "APIInput", "Certificates", "PackageVersions", "Scanner", "RegistryClient", "Replication", .product(name: "X509", package: "swift-certificates")],
                          swiftSettings: swiftSettings),
        .testTarget(name: "OCITests", dependencies: ["OCI"], swiftSettings: swiftSettings),
        .testTarget(name: "APIInputTests", dependencies: ["APIInput"], swiftSettings: swiftSettings),
        .testTarget(name: "PackageVersionsTests", dependencies: ["PackageVersions"], swiftSettings: swiftSettings),
        .testTarget(name: "ScannerTests", dependencies: ["Scanner"], swiftSettings: swiftSettings),
        .testTarget(name: "ReplicationTests", dependencies: ["Replication"], swiftSettings: swiftSettings),
        .testTarget(name: "RegistryClientTests", dependencies: ["RegistryClient"], swiftSettings: swiftSettings),
        .testTarget(name: "CertificatesTests", dependencies: ["Certificates", .product(name: "NIOEmbedded", package: "swift-nio")], swiftSettings: swiftSettings),
        .testTarget(name: "EventsTests", dependencies: ["Events", "Metadata", .product(name: "SQLKit", package: "sql-kit"),
                                                       .product(name: "NIOPosix", package: "swift-nio"), .product(name: "Logging", package: "swift-log")],
                    swiftSettings: swiftSettings),
        .testTarget(name: "JobsTests", dependencies: ["Jobs", "Metadata", .product(name: "Logging", package: "swift-log")], swiftSettings: swiftSettings),
        .testTarget(
            name: "AuthTests",
            dependencies: ["Auth", "Metadata", "OCI", .product(name: "NIOPosix", package: "swift-nio"), .product(name: "Logging", package: "swift-log"),
                           .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "StorageTests",
            dependencies: ["Storage", "OCI", .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                           .product(name: "AsyncHTTPClient", package: "async-http-client")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MetadataTests",
            dependencies: ["Metadata", "OCI", "Jobs", .product(name: "NIOPosix", package: "swift-nio"), .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RegistryTests",
            dependencies: ["Registry", "Metadata", "Storage", "OCI", .product(name: "NIOPosix", package: "swift-nio"),
                           .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "OCI", "Scanner", "RegistryClient",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
