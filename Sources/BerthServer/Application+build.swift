import APIInput
import AsyncHTTPClient
import Auth
import Events
import Foundation
import HTTPAPI
import Jobs
import Hummingbird
import HummingbirdCore
import Logging
import Management
import Portal
import Metadata
import OCI
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Registry
import RegistryClient
import Replicating
import Scanning
import Storage
import Webhooks

/// Berth's version, as the CLI and `/systeminfo` report it.
public let berthVersion = "0.2.0"

/// The running pieces behind one server: what `buildApplication` assembles and what must be closed afterwards.
public struct BerthRuntime: Sendable {
    /// The metadata database.
    public let database: any SQLDatabaseProvider
    /// Thread pool for blocking file I/O.
    public let ioThreadPool: NIOThreadPool
    /// Thread pool for SQLite calls.
    public let databaseThreadPool: NIOThreadPool
    /// Thread pool, at a lower priority, for garbage collection's listings and deletions.
    public var backgroundThreadPool: NIOThreadPool? = nil
    /// TLS, when the server speaks HTTPS.
    public var transport: TransportSecurity? = nil
    /// HTTP clients of background work (webhook delivery), shut down with the server.
    public var clients: [HTTPClient] = []

    /// Closes the database and stops the thread pools.
    public func shutdown() async {
        for client in clients { try? await client.shutdown() }
        await database.shutdown()
        try? await ioThreadPool.shutdownGracefully()
        try? await databaseThreadPool.shutdownGracefully()
        try? await backgroundThreadPool?.shutdownGracefully()
    }
}

/// Assembles the server from configuration: storage, metadata (migrated), registry services, routes and
/// background services. Tests and `berth serve` both start the server through this function. `onServerRunning` is
/// called with the registry listener's channel once every listener (including the metrics and redirect ports) is bound.
public func buildApplication(
    configuration: BerthConfiguration,
    logger: Logger,
    onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
) async throws -> (some ApplicationProtocol, BerthRuntime) {
    BerthMetrics.bootstrap()
    let ioThreadPool = NIOThreadPool(numberOfThreads: 8)
    ioThreadPool.start()
    let databaseThreadPool = NIOThreadPool(numberOfThreads: 4)
    databaseThreadPool.start()

    try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
    let storage: any StorageDriver = MeasuredStorageDriver(try openStorage(configuration, threadPool: ioThreadPool))
    let database = MeasuredDatabaseProvider(try await openDatabase(configuration, threadPool: databaseThreadPool, logger: logger))
    var runtime = BerthRuntime(database: database, ioThreadPool: ioThreadPool, databaseThreadPool: databaseThreadPool)
    let events = EventNotifier()
    let store = SQLRegistryStore(provider: database, notifier: events, quotaWarningPercent: configuration.projects.quotaWarningPercent)
    do {
        try await store.migrate()
    } catch {
        await runtime.shutdown()
        throw error
    }

    let registryConfiguration = configuration.registryConfiguration

    let access: AccessControl
    do {
        if let problem = configuration.auth.adminPassword.isEmpty ? nil : PasswordPolicy.problem(with: configuration.auth.adminPassword) {
            throw ConfigurationError("auth.adminPassword is too weak: \(problem)")
        }
        access = try await AccessControl.build(configuration: configuration, database: database, threadPool: ioThreadPool, logger: logger)
    } catch {
        await runtime.shutdown()
        throw error
    }

    do {
        runtime.transport = try await TransportSecurity.build(configuration: configuration, settings: access.store, logger: logger)
    } catch {
        await runtime.shutdown()
        throw error
    }
    let transport = runtime.transport
    do {
        try await ListenerPreflight.check([
            .init(setting: "http.port", address: configuration.http.address, port: configuration.http.port),
            .init(setting: "http.tls.redirectPort", address: configuration.http.address, port: transport == nil ? 0 : configuration.http.tls.redirectPort),
            .init(setting: "metrics.port", address: configuration.metrics.address, port: configuration.metrics.enabled ? configuration.metrics.port : 0),
        ])
    } catch {
        await runtime.shutdown()
        throw error
    }
    let serverURL = ServerURL(externalURL: configuration.http.externalURL, tls: transport != nil)

    let backend = RegistryBackend(store: store, storage: storage, configuration: registryConfiguration, logger: logger)
    let uploads = UploadService(backend)
    let manifests = ManifestService(backend)
    let jobStore = SQLJobStore(provider: database)
    let outbox = EventOutbox(provider: database, notifier: events)
    let pulls = PullStatistics(store: store, outbox: outbox, logger: logger)
    let blobs = BlobService(backend)
    let vulnerabilityStore = SQLVulnerabilityStore(provider: database)
    let proxyRegistries = SQLRemoteRegistryStore(provider: database), proxyProjects = access.store, proxySealer = access.sealer
    let proxyCache = ProxyCache(
        upstreamOf: { project in
            guard let record = try await proxyProjects.project(named: project), let registryID = record.registryID else { return nil }
            return ProxyCache.Upstream(registryID: registryID, speedKB: Int(record.metadata["proxy_speed_kb"] ?? "") ?? -1)
        },
        remote: { id, bytesPerSecond in
            guard let record = try await proxyRegistries.registry(id: id) else {
                throw DistributionError(.unavailable, "the remote registry of this proxy cache is no longer registered")
            }
            return try RemoteRegistryService.client(record, proxySealer, retries: 2, bytesPerSecond: bytesPerSecond)
        },
        manifests: manifests, blobs: blobs, uploads: uploads, logger: logger)
    let v2 = V2Controller(blobs: blobs, uploads: uploads, manifests: manifests, listings: ListingService(backend),
                          gate: access.gate, pulls: pulls,
                          pullPolicy: PullPolicyCheck(projects: access.store, reports: vulnerabilityStore, policy: access.policy),
                          pullThrough: proxyCache)
    let webhookStore = SQLWebhookStore(provider: database)
    let management = ManagementEnvironment(
        access: access.store, artifacts: store, registry: store, manifests: manifests, blobs: blobs, copier: ArtifactCopier(backend), policy: access.policy, hashing: access.hashing,
        audit: access.audit, webhooks: webhookStore,
        system: SystemFacts(authMode: configuration.ldap.isEnabled ? "ldap_auth" : "db_auth", projectCreationRestriction: configuration.projects.creationRestriction,
                            version: berthVersion, autoCreateProjects: configuration.projects.autoCreateOnPush,
                            storageProvider: storage.name, externalURL: configuration.http.externalURL),
        directory: access.directory, logger: logger, vulnerabilities: vulnerabilityStore, jobs: jobStore, sealer: access.sealer,
        remoteRegistries: SQLRemoteRegistryStore(provider: database), replication: SQLReplicationStore(provider: database),
        quotas: SQLQuotaStore(provider: database), garbageRuns: SQLGarbageRunStore(provider: database),
        immutableRules: SQLImmutableRuleStore(provider: database), retention: SQLRetentionStore(provider: database),
        labels: SQLLabelStore(provider: database))

    let router = Router(context: BerthRequestContext.self)
    router.add(middleware: ClientAddressMiddleware(trustedProxies: configuration.http.trustedProxies.compactMap(IPNetwork.init)))
    if configuration.metrics.enabled { router.add(middleware: HTTPMetricsMiddleware()) }
    if configuration.log.accessLog { router.add(middleware: AccessLogMiddleware()) }
    HealthController().register(on: router)
    v2.register(on: router)
    TokenController(authenticator: access.authenticator, tokenService: access.tokenService, sessions: access.sessions, audit: access.audit)
        .register(on: router)
    let ldap = LDAPService(management, directory: access.directory, group: MultiThreadedEventLoopGroup.singleton, logger: logger)
    let jobService = JobServiceAPI(management, jobs: jobStore)
    ManagementController(environment: management, ldap: ldap, jobs: jobService, authenticator: access.authenticator, sessions: access.sessions,
                         authEnabled: configuration.auth.enabled, serverURL: serverURL,
                         caCertificate: { transport?.certificates.identity.authorityPEM }).register(on: router)
    let sessionService = SessionService(authenticator: access.authenticator, sessions: access.sessions, users: access.store,
                                        auditLog: AuditLogService(management))
    SessionController(service: sessionService, serverURL: serverURL).register(on: router)
    ScannerAdapterController(environment: management, authenticator: access.authenticator, sessions: sessionService,
                             authEnabled: configuration.auth.enabled).register(on: router)
    PortalController(environment: management, ldap: ldap, jobs: jobService, sessions: sessionService, authEnabled: configuration.auth.enabled, version: berthVersion,
                     serverURL: serverURL, caFingerprint: { transport?.certificates.identity.authorityFingerprint?.description }).register(on: router)
    let exporter = MetricsExporter(registry: BerthMetrics.registry, statistics: ExporterStatistics(provider: database), jobs: jobStore,
                                   outbox: outbox, logger: logger)
    let renderMetrics: @Sendable () async -> String = { await exporter.render() }
    if configuration.metrics.enabled && configuration.metrics.port == 0 {
        MetricsController(render: renderMetrics, authenticator: access.authenticator, sessions: access.sessions, environment: management,
                          authEnabled: configuration.auth.enabled).register(on: router)
    }

    let boundPort = NIOLockedValueBox(configuration.http.port)
    let metricsListener = configuration.metrics.enabled && configuration.metrics.port != 0
    let redirectListener = transport != nil && configuration.http.tls.redirectPort != 0
    let listeners = ListenersReady(auxiliaries: (metricsListener ? 1 : 0) + (redirectListener ? 1 : 0), announce: onServerRunning)
    let deadlines = ConnectionDeadlines(header: .seconds(configuration.http.headerTimeoutSeconds), idle: .seconds(configuration.http.idleTimeoutSeconds),
                                        bodyStall: .seconds(configuration.http.bodyStallTimeoutSeconds))
    let http1 = HTTP1Channel.Configuration(additionalChannelHandlers: [ExpectContinueHandler()])
    var app = Application(
        router: router,
        server: transport.map { .https(certificates: $0.certificates, http2: configuration.http.tls.http2, configuration: http1, deadlines: deadlines) }
            ?? .http1(configuration: http1, deadlines: deadlines),
        configuration: .init(address: .hostname(configuration.http.address, port: configuration.http.port), serverName: "berth",
                             availableConnectionsDelegate: MaximumAvailableConnections(configuration.http.maxConnections, logger: logger)),
        onServerRunning: { channel in
            if let port = channel.localAddress?.port { boundPort.withLockedValue { $0 = port } }
            await listeners.mainRunning(channel)
        },
        logger: logger
    )
    let webhookClients = WebhookClients.make()
    runtime.clients = [webhookClients.verifying, webhookClients.insecure]
    let delivery = WebhookDeliveryJob(store: webhookStore, client: webhookClients.verifying, insecureClient: webhookClients.insecure,
                                      timeout: .seconds(Int64(configuration.webhooks.timeoutSeconds)), maxAttempts: configuration.webhooks.maxAttempts,
                                      logger: logger)
    let sweep = SweepWebhookExecutionsJob(store: webhookStore, keep: configuration.webhooks.keepExecutions, logger: logger)
    let externalURL = configuration.http.externalURL, listenAddress = configuration.http.address
    let sbom = SBOMPublisher(uploads: uploads, manifests: manifests, registryHost: {
        registryHost(externalURL: externalURL, address: listenAddress, port: boundPort.withLockedValue { $0 })
    })
    let imageIndex = ImageIndexService(manifests: manifests, storage: storage, store: vulnerabilityStore, logger: logger)
    let sealer = access.sealer, tokens = access.tokens, tlsOn = configuration.transportMode != .plain, authEnabled = configuration.auth.enabled
    let remoteRegistryStore = SQLRemoteRegistryStore(provider: database), accessStore = access.store
    // This registry's URL as others reach it (the external URL), or its own listening address.
    let registryURL: @Sendable (Bool) -> String = { internalAddress in
        if !internalAddress, !externalURL.isEmpty { return externalURL }
        let host = ["0.0.0.0", "::", ""].contains(listenAddress) ? "127.0.0.1" : listenAddress
        return "\(tlsOn ? "https" : "http")://\(host.contains(":") ? "[\(host)]" : host):\(boundPort.withLockedValue { $0 })"
    }
    let external = ExternalScanning(
        openCredential: { try sealer.open($0) },
        pullAuthorization: { repository in
            let issued = try await tokens.issue(subject: "scanner", account: nil,
                                                access: [RegistryScope(type: "repository", name: repository, actions: ["pull"])])
            return "Bearer " + issued.token
        },
        registryURL: registryURL)
    let scan = ScanJob(index: imageIndex, vulnerabilities: VulnerabilityService(store: vulnerabilityStore), store: vulnerabilityStore, sbom: sbom,
                       external: external, logger: logger)
    let adapterScan = AdapterScanJob(index: imageIndex, vulnerabilities: VulnerabilityService(store: vulnerabilityStore), store: vulnerabilityStore,
                                     openCredential: { try sealer.open($0) }, logger: logger)

    let replicationEndpoints = ReplicationEndpoints(
        local: { repositories, bytesPerSecond in
            let url = registryURL(true)
            let credentials: RegistryCredentials
            if authEnabled {
                let issued = try await tokens.issue(subject: "replication", account: nil, access: repositories.map {
                    RegistryScope(type: "repository", name: $0, actions: ["pull", "push", "delete"])
                })
                credentials = .bearer(issued.token)
            } else {
                credentials = .anonymous
            }
            // The connection goes to this server's own address: its CA when it has one; an operator's certificate
            // whose issuer is not known here is not checked on this loopback hop.
            let trust: RegistryTrust = !tlsOn ? .system : transport?.certificates.identity.authorityPEM.map { .certificateAuthorities($0) } ?? .insecure
            return try RegistryClient(url: url, credentials: credentials, trust: trust, bytesPerSecond: bytesPerSecond, logger: logger)
        },
        remote: { id, bytesPerSecond in
            guard let record = try await remoteRegistryStore.registry(id: id) else { throw ConfigurationError("remote registry \(id) no longer exists") }
            return try RemoteRegistryService.client(record, sealer, retries: 3, bytesPerSecond: bytesPerSecond)
        },
        prepareLocal: { repository in
            let project = RepositoryRecord.projectName(of: repository)
            guard !project.isEmpty, try await accessStore.project(named: project) == nil else { return }
            let now = Clock.nowMilliseconds()
            do {
                _ = try await accessStore.createProject(ProjectRecord(name: project, ownerID: nil, metadata: ["public": "false"], createdAt: now, updatedAt: now),
                                                        ownerRole: nil)
            } catch is MetadataConflict {
                // Created meanwhile.
            }
        },
        describe: { id in
            guard let id else { return ReplicationSideFacts(name: "Local", type: "harbor", url: registryURL(false)) }
            guard let record = try? await remoteRegistryStore.registry(id: id) else { return ReplicationSideFacts(name: "", type: "", url: "") }
            return ReplicationSideFacts(name: record.name, type: record.type, url: record.url)
        })
    let replicationStore = SQLReplicationStore(provider: database)
    let jobWake = WakeSignal()
    let rematch = RematchJob(vulnerabilities: VulnerabilityService(store: vulnerabilityStore), store: vulnerabilityStore, logger: logger)
    let scanAll = ScanAllJob(store: vulnerabilityStore, settings: access.store, logger: logger)
    // Garbage collection lists and deletes files on threads of its own at a lower priority: requests come first.
    let backgroundThreadPool = await BackgroundThreadPool.start(threads: 5)
    runtime.backgroundThreadPool = backgroundThreadPool
    let garbageStorage: any StorageDriver = MeasuredStorageDriver(try openStorage(configuration, threadPool: backgroundThreadPool))
    let garbage = GarbageCollectionJob(executor: GarbageRunExecutor(
        runs: SQLGarbageRunStore(provider: database),
        collector: GarbageCollector(garbage: SQLGarbageStore(provider: database), registry: store, storage: garbageStorage, uploads: uploads,
                                    logger: logger),
        graceMilliseconds: configuration.gc.graceSeconds * 1000, logger: logger), runs: SQLGarbageRunStore(provider: database))
    let jobs = JobQueue(store: jobStore, handlers: [PurgeUploadsJob(uploads: uploads), PurgeEventsJob(outbox: outbox, logger: logger), delivery, sweep, scan,
                                                    garbage,
                                                    RetentionJob(store: SQLRetentionStore(provider: database), projects: access.store, jobs: jobStore,
                                                                 runner: RetentionRunner(store: SQLRetentionStore(provider: database),
                                                                                         manifests: manifests, logger: logger)),
                                                    rematch, scanAll, adapterScan, CVEExportJob(management),
                                                    ReplicationExecutionJob(store: replicationStore, endpoints: replicationEndpoints, logger: logger),
                                                    ReplicationTaskJob(store: replicationStore, endpoints: replicationEndpoints, logger: logger)],
                        logger: logger, wake: jobWake)
    do {
        try await jobs.ensureSchedule(name: PurgeUploadsJob.kind, kind: PurgeUploadsJob.kind,
                                      cron: cronExpression(everySeconds: configuration.uploads.purgeIntervalSeconds))
        try await jobs.ensureSchedule(name: PurgeEventsJob.kind, kind: PurgeEventsJob.kind, cron: "0 17 * * * *")
        try await jobs.ensureSchedule(name: SweepWebhookExecutionsJob.kind, kind: SweepWebhookExecutionsJob.kind,
                                      cron: cronExpression(everySeconds: configuration.webhooks.sweepIntervalSeconds))
    } catch {
        await runtime.shutdown()
        throw error
    }
    app.addServices(JobService(queue: jobs, logger: logger))
    if metricsListener {
        app.addServices(Application(
            router: MetricsController.openRouter(render: renderMetrics),
            configuration: .init(address: .hostname(configuration.metrics.address, port: configuration.metrics.port), serverName: "berth-metrics"),
            onServerRunning: { _ in await listeners.auxiliaryRunning() },
            logger: logger))
    }
    if let transport {
        app.addServices(CertificateRefreshService(security: transport, interval: .seconds(configuration.http.tls.reloadIntervalSeconds), logger: logger))
        if redirectListener {
            app.addServices(Application(
                responder: HTTPSRedirect(externalURL: configuration.http.externalURL, httpsPort: { boundPort.withLockedValue { $0 } }),
                server: .http1(configuration: .init(), deadlines: deadlines),
                configuration: .init(address: .hostname(configuration.http.address, port: configuration.http.tls.redirectPort), serverName: "berth"),
                onServerRunning: { _ in await listeners.auxiliaryRunning() },
                logger: logger))
        }
    }
    // Services stop in reverse order: the flush writes the last pull events to the outbox, then the dispatcher's
    // last pass hands them over.
    var subscribers: [any EventSubscriber] = [AuditLogSubscriber(), ScanOnPushSubscriber(), ReplicationSubscriber()]
    if configuration.webhooks.enabled {
        let externalURL = configuration.http.externalURL, address = configuration.http.address
        subscribers.append(WebhookSubscriber(registryHost: {
            registryHost(externalURL: externalURL, address: address, port: boundPort.withLockedValue { $0 })
        }))
    }
    // Jobs that subscribers queued (deliveries, scans, replications) start at once rather than at the queue's next tick.
    let dispatcher = EventDispatcher(outbox: outbox, subscribers: subscribers, logger: logger, afterDispatch: { jobWake.signal() })
    events.observe { dispatcher.wake() }
    app.addServices(EventDispatchService(dispatcher: dispatcher))
    app.addServices(AuditFlushService(audit: access.audit, pulls: pulls, interval: .seconds(1)))
    return (app, runtime)
}

/// The metadata database the configuration names (SQLite or PostgreSQL), not yet migrated.
/// The configured storage: S3 or the filesystem under the data directory.
func openStorage(_ configuration: BerthConfiguration, threadPool: NIOThreadPool) throws -> any StorageDriver {
    guard configuration.storage.driver == "s3" else {
        return try FilesystemDriver(root: configuration.resolvedStorageRoot, threadPool: threadPool, sync: configuration.storage.filesystemSync)
    }
    let c = configuration.storage
    let endpoint = c.s3Endpoint.isEmpty ? "https://s3.\(c.s3Region).amazonaws.com" : c.s3Endpoint
    var settings = S3Settings(endpoint: endpoint, region: c.s3Region, bucket: c.s3Bucket, prefix: c.s3Prefix,
                              accessKey: c.s3AccessKey, secretKey: c.s3SecretKey, pathStyle: c.s3PathStyle)
    settings.redirect = c.s3Redirect
    return try S3Driver(settings: settings, client: HTTPClient.shared)
}

func openDatabase(_ configuration: BerthConfiguration, threadPool: NIOThreadPool, logger: Logger) async throws -> any SQLDatabaseProvider {
    if configuration.resolvedDatabase.hasPrefix("sqlite:") {
        let databasePath = String(configuration.resolvedDatabase.dropFirst("sqlite:".count))
        return try await SQLiteDatabaseProvider.open(
            path: databasePath, threadPool: threadPool, eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: logger)
    }
    return try await PostgresDatabaseProvider.open(url: configuration.resolvedDatabase, eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: logger)
}

/// The registry's host (and port) as clients pull from it: the external URL's, else the listening address's.
func registryHost(externalURL: String, address: String, port: Int) -> String {
    if let url = URL(string: externalURL), let host = url.host {
        return url.port.map { "\(host):\($0)" } ?? host
    }
    return "\(address):\(port)"
}
