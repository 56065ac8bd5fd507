import Foundation

/// Container runtimes whose per-registry trust directories `berth trust` knows.
public enum ContainerRuntime: String, CaseIterable, Sendable {
    /// containerd (`/etc/containerd/certs.d/<host>/hosts.toml` and `ca.crt`); Kubernetes nodes use it.
    case containerd
    /// The Docker engine (`/etc/docker/certs.d/<host:port>/ca.crt`).
    case docker
    /// podman, skopeo, buildah and CRI-O (`/etc/containers/certs.d/<host:port>/ca.crt`).
    case containers
}

/// The files that make one node trust one registry's CA, and their installation under a root directory.
public struct NodeTrust: Sendable {
    /// `host` or `host:port` as clients name the registry (port 443 is left out, as the runtimes look it up).
    public let registry: String
    /// The CA certificate in PEM.
    public let certificatePEM: String

    /// Trust `certificatePEM` for the registry at `host` and `port`.
    public init(host: String, port: Int, certificatePEM: String) {
        let bracketed = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        registry = port == 443 ? bracketed : "\(bracketed):\(port)"
        self.certificatePEM = certificatePEM
    }

    /// A file to install: where (relative to the root) and what.
    public struct File: Sendable, Equatable {
        /// Absolute path on the node, `/etc/...`.
        public let path: String
        /// The content.
        public let content: String
        /// Whether an existing file with other content may be replaced (false for files an operator may have
        /// written by hand, such as a containerd `hosts.toml` with mirrors).
        public let replaceable: Bool
    }

    /// Marks files `berth trust` wrote, so that it may update them later.
    public static let marker = "# Written by berth trust"

    /// containerd's host configuration for the registry, with the CA next to it.
    public var containerdHostsTOML: String {
        """
        \(Self.marker): trust this registry's CA (run it again to update).
        server = "https://\(registry)"

        [host."https://\(registry)"]
          capabilities = ["pull", "resolve", "push"]
          ca = "ca.crt"

        """
    }

    /// The files for `runtimes`, plus the system trust store when `systemStore` names its layout.
    public func files(for runtimes: [ContainerRuntime], systemStore: SystemTrustStore?) -> [File] {
        var files: [File] = []
        for runtime in runtimes {
            switch runtime {
            case .containerd:
                files.append(File(path: "/etc/containerd/certs.d/\(registry)/ca.crt", content: certificatePEM, replaceable: true))
                files.append(File(path: "/etc/containerd/certs.d/\(registry)/hosts.toml", content: containerdHostsTOML, replaceable: false))
            case .docker:
                files.append(File(path: "/etc/docker/certs.d/\(registry)/ca.crt", content: certificatePEM, replaceable: true))
            case .containers:
                files.append(File(path: "/etc/containers/certs.d/\(registry)/ca.crt", content: certificatePEM, replaceable: true))
            }
        }
        if let systemStore {
            let name = "berth-" + registry.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" ? $0 : "_" } + ".crt"
            files.append(File(path: systemStore.directory + "/" + name, content: certificatePEM, replaceable: true))
        }
        return files
    }

    /// What installing one file did.
    public enum Outcome: Sendable, Equatable {
        /// Written (new or changed).
        case wrote(String)
        /// Already there with this content.
        case unchanged(String)
        /// Left alone: an operator's own file with other content.
        case kept(String)
    }

    /// Writes `files` under `root` (creating directories), leaving identical files and operators' own files alone.
    public static func install(_ files: [File], root: String) throws -> [Outcome] {
        let manager = FileManager.default
        return try files.map { file in
            let path = (root == "/" ? "" : root.hasSuffix("/") ? String(root.dropLast()) : root) + file.path
            if let existing = manager.contents(atPath: path) {
                if existing == Data(file.content.utf8) { return .unchanged(path) }
                let ours = String(data: existing, encoding: .utf8)?.hasPrefix(marker) ?? false
                if !file.replaceable, !ours { return .kept(path) }
            }
            let directory = (path as NSString).deletingLastPathComponent
            try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let temporary = directory + "/.berth-trust-\(UUID().uuidString)"
            guard manager.createFile(atPath: temporary, contents: Data(file.content.utf8), attributes: [.posixPermissions: 0o644]) else {
                throw CertificateProblem("cannot write \(path)")
            }
            if rename(temporary, path) != 0 {
                try? manager.removeItem(atPath: temporary)
                throw CertificateProblem("cannot write \(path): \(String(cString: strerror(errno)))")
            }
            return .wrote(path)
        }
    }

    /// The runtimes whose configuration directory or program exists under `root`.
    public static func presentRuntimes(root: String) -> [ContainerRuntime] {
        let base = root == "/" ? "" : root
        let manager = FileManager.default
        func exists(_ paths: [String]) -> Bool { paths.contains { manager.fileExists(atPath: base + $0) } }
        let bins = ["/usr/bin/", "/usr/local/bin/", "/usr/sbin/"]
        return ContainerRuntime.allCases.filter { runtime in
            switch runtime {
            case .containerd: return exists(["/etc/containerd"] + bins.map { $0 + "containerd" })
            case .docker: return exists(["/etc/docker"] + bins.map { $0 + "dockerd" })
            case .containers: return exists(["/etc/containers"] + ["podman", "skopeo", "buildah", "crio"].flatMap { name in bins.map { $0 + name } })
            }
        }
    }
}

/// A system-wide trust store layout: where CA files go and what refreshes the bundle.
public struct SystemTrustStore: Sendable, Equatable {
    /// Directory for extra CA certificates.
    public let directory: String
    /// The command that rebuilds the bundle.
    public let refreshCommand: String

    /// Debian and Ubuntu.
    public static let debian = SystemTrustStore(directory: "/usr/local/share/ca-certificates", refreshCommand: "update-ca-certificates")
    /// Fedora, RHEL and derivatives.
    public static let redHat = SystemTrustStore(directory: "/etc/pki/ca-trust/source/anchors", refreshCommand: "update-ca-trust")

    /// The layout found under `root`, if any.
    public static func detect(root: String) -> SystemTrustStore? {
        let base = root == "/" ? "" : root
        for store in [debian, redHat] where FileManager.default.fileExists(atPath: base + store.directory) { return store }
        return nil
    }
}
