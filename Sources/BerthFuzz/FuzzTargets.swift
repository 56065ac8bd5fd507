import APIInput
import Certificates
import Foundation
import OCI
import PackageVersions
import RegistryClient
import Replication
import Scanner
import X509

/// The parsers of untrusted input, each as a fuzz target: it must never crash (no trap, no overflow), and what it
/// accepts must hold the invariants checked here. A broken invariant stops the fuzzer like a crash.
enum FuzzTargets {
    /// Target names, for `BERTH_FUZZ_TARGET`.
    static let all: [String: @Sendable ([UInt8]) -> Void] = [
        "ranges": ranges, "names": names, "manifests": manifests, "scopes": scopes, "listquery": listQuery, "accounts": accounts,
        "certificates": certificates, "versions": versions, "tar": tar,
        "layer": layer, "advisories": advisories, "challenges": challenges, "patterns": patterns,
    ]

    /// Replication and immutability patterns (first line) against names (second line): parsing and matching never
    /// trap, and a pattern without special characters matches exactly itself.
    static func patterns(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        let lines = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let name = lines.count > 1 ? lines[1] : ""
        if let pattern = ReplicationPattern(lines[0]) {
            let matched = pattern.matches(name)
            if !lines[0].contains(where: { "*?[]{}\\".contains($0) }) {
                check(matched == (lines[0] == name), "a literal pattern matched something else")
            }
        }
        if let list = ReplicationPattern(harborList: lines[0]) {
            let matched = list.matches(name)
            if !lines[0].contains(where: { "*?[]{}\\, ".contains($0) }) {
                check(matched == (lines[0] == name), "a literal selector pattern matched something else")
            }
        }
        _ = DestinationName.of(name, namespace: lines[0], replaceCount: Int(bytes.first ?? 0) - 128)
    }

    /// `WWW-Authenticate` headers and `Authorization` values from remote registries and scan requests: parsing never
    /// traps and stays within its bounds.
    static func challenges(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        let parsed = AuthChallenge.parse(text)
        check(parsed.count <= 16, "more than 16 challenges")
        check(parsed.allSatisfy { !$0.scheme.isEmpty && $0.parameters.count <= 32 }, "a challenge without a scheme or with too many parameters")
        _ = RegistryCredentials(authorizationHeader: text)
    }

    /// Whole layers (plain tar, gzip or zstd) through the image indexer, fed whole and in pieces: it never traps,
    /// decompression stays within its bound, and both ways of feeding give the same inventory or both fail.
    static func layer(_ bytes: [UInt8]) {
        func index(_ pieces: [ArraySlice<UInt8>]) -> Inventory? {
            var indexer = ImageIndexer(maximumFileSize: 1 << 20, maximumLayerSize: 64 << 20)
            indexer.beginLayer()
            do {
                for piece in pieces { try indexer.feed(piece) }
                try indexer.endLayer()
            } catch {
                return nil
            }
            return indexer.inventory()
        }
        let whole = index([bytes[...]])
        let split = index([bytes.prefix(bytes.count / 2), bytes.dropFirst(bytes.count / 2)])
        check(whole == split, "feeding a layer in pieces changes its inventory")
    }

    /// Advisory and binary metadata: OSV JSON documents, Go build-information blocks, Java archives, rpm databases and CVSS vectors never trap,
    /// and what parses holds its invariants (scores within 0–10, OSV ids not empty).
    static func advisories(_ bytes: [UInt8]) {
        if let parsed = try? OSVFormat.advisory(bytes, file: "fuzz.json") {
            check(!parsed.id.isEmpty, "an OSV advisory without an id was accepted")
            let matcher = AdvisoryMatcher([parsed])
            for affected in parsed.affected {
                for version in affected.versions + affected.ranges.flatMap({ $0.map(\.version) }) {
                    let package = InstalledPackage(ecosystem: affected.ecosystem, name: affected.name, version: version, location: "x")
                    _ = matcher.match(Inventory(operatingSystem: nil, packages: [package]))
                }
            }
        }
        _ = GoBuildInfo.parse(GoBuildInfo.magic + bytes)
        _ = JavaArchive.packages(bytes, location: "fuzz.jar")
        _ = RpmDatabase.packages(bytes, location: "rpmdb.sqlite")
        if let score = CVSS3.baseScore(String(decoding: bytes, as: UTF8.self)) {
            check(score >= 0 && score <= 10, "a CVSS score outside 0–10")
        }
    }

    /// Image layers as tar streams, fed whole and in two pieces: the reader never traps, every file's content is
    /// exactly its size, and both ways of feeding give the same entries.
    static func tar(_ bytes: [UInt8]) {
        func read(_ pieces: [ArraySlice<UInt8>]) -> [TarEntry]? {
            var reader = TarReader()
            var entries: [TarEntry] = []
            var content: Int64 = 0
            do {
                for piece in pieces {
                    for event in try reader.feed(piece) {
                        switch event {
                        case .entry(let entry): entries.append(entry); content = 0
                        case .data(let data): content += Int64(data.count)
                        case .end: check(entries.last.map { $0.kind != .file || $0.size == content } ?? false, "content does not match the size")
                        }
                    }
                }
                try reader.finish()
                return entries
            } catch {
                return nil
            }
        }
        let whole = read([bytes[...]])
        let split = read([bytes.prefix(bytes.count / 3), bytes.dropFirst(bytes.count / 3)])
        check(whole == split, "feeding in pieces changes what is read")
    }

    /// Package versions as images and advisories spell them (two versions, one per line): every ecosystem's order
    /// answers without trapping, a version equals itself, and swapping the two flips the answer.
    static func versions(_ bytes: [UInt8]) {
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        let a = String(lines.first ?? ""), b = lines.count > 1 ? String(lines[1]) : ""
        for scheme in VersionScheme.allCases {
            check(scheme.compare(a, a) == 0 && scheme.compare(b, b) == 0, "\(scheme): a version differs from itself")
            check(scheme.compare(a, b).signum() == -scheme.compare(b, a).signum(), "\(scheme): order not antisymmetric")
        }
    }

    /// What `berth trust` reads from a registry it does not trust yet (PEM, certificates) and from its command line
    /// (fingerprints, registry addresses, host names).
    static func certificates(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        for block in PEMBlock.blocks(in: text) {
            check(block.text.hasPrefix("-----BEGIN \(block.label)-----") && block.text.hasSuffix("-----END \(block.label)-----\n"), "PEM block \(block.label)")
            if block.label == "CERTIFICATE", let certificate = try? Certificate(pemEncoded: block.text) {
                check((try? Certificate(derEncoded: certificate.derBytes)) == certificate, "certificate does not re-encode")
            }
        }
        if let fingerprint = CertificateFingerprint(text) {
            check(CertificateFingerprint(fingerprint.description) == fingerprint && CertificateFingerprint(fingerprint.colonSeparated) == fingerprint,
                  "fingerprint \(fingerprint)")
        }
        if let endpoint = RegistryEndpoint(text) {
            check(RegistryEndpoint(endpoint.url) == endpoint && (1 ... 65535).contains(endpoint.port) && !endpoint.host.isEmpty, "endpoint \(endpoint)")
        }
        var names = SubjectNames()
        if (try? names.add(text)) != nil { check(names.dnsNames.count + names.ipAddresses.count == 1, "names from \(text)") }
    }

    /// `Range` and `Content-Range` headers against sizes at the edges.
    static func ranges(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        for size: Int64 in [0, 1, 10, 1 << 32, Int64.max - 1, Int64.max] {
            for header in [text, "bytes=" + text] {
                switch RequestedRange(header: header, size: size) {
                case .partial(let range):
                    check(range.lowerBound >= 0 && range.upperBound <= size && !range.isEmpty, "range \(range) outside \(size)")
                case .whole, .unsatisfiable:
                    break
                }
            }
        }
        if let chunk = ChunkRange(header: text) {
            check(chunk.start >= 0 && chunk.end >= chunk.start && chunk.length >= 1, "chunk \(chunk)")
        }
    }

    /// Repository names, tags, references and digests: what parses prints back as given.
    static func names(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        if let name = try? RepositoryName(text) {
            check(name.value == text && name.value.utf8.count <= RepositoryName.maximumLength, "name \(name)")
        }
        if let tag = try? Tag(text) { check(tag.value == text && tag.value.utf8.count <= Tag.maximumLength, "tag \(tag)") }
        if let digest = try? Digest(parsing: text) { check(digest.description == text, "digest \(digest)") }
        if let reference = try? Reference(parsing: text) { check(reference.description == text, "reference \(reference)") }
    }

    /// Manifests and indexes with each content type a client may send.
    static func manifests(_ bytes: [UInt8]) {
        for contentType in [nil, MediaType.ociManifest, MediaType.ociIndex, MediaType.dockerManifest, "application/json", "text/plain"] {
            guard let parsed = try? ManifestParser.parse(bytes, contentType: contentType) else { continue }
            check(MediaType.manifestTypes.contains(parsed.mediaType), "media type \(parsed.mediaType)")
            check(parsed.isIndex ? parsed.blobs.isEmpty : parsed.manifests.isEmpty, "index with blobs or image with children")
        }
    }

    /// Token scopes as clients send them (`scope` values, several per value).
    static func scopes(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        for scope in RegistryScope.parseAll([text]) {
            check(!scope.type.isEmpty && !scope.name.isEmpty, "scope \(scope)")
            check(RegistryScope(parsing: Substring(scope.description)) != nil || scope.actions.isEmpty, "scope \(scope) does not parse back")
        }
    }

    /// Harbor's `q`, `sort`, `page` and `page_size`, split from the input by newlines.
    static func listQuery(_ bytes: [UInt8]) {
        let parts = String(decoding: bytes, as: UTF8.self).split(separator: "\n", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
        let q = parts.first, sort = parts.count > 1 ? parts[1] : nil
        let page = parts.count > 2 ? parts[2] : nil, size = parts.count > 3 ? parts[3] : nil
        guard let (query, pageNumber, pageSize) = try? ListQueryParser.parse(q: q, sort: sort, page: page, pageSize: size) else { return }
        check(pageNumber >= 1 && pageNumber <= ListQueryParser.maximumPage, "page \(pageNumber)")
        check(pageSize >= 1 && pageSize <= ListQueryParser.maximumPageSize, "page size \(pageSize)")
        check(query.offset >= 0 && query.limit == pageSize, "offset \(query.offset)")
        check(query.filters.allSatisfy { !$0.key.isEmpty }, "empty filter key")
    }

    /// Account names, their comparison keys, and client addresses behind proxies.
    static func accounts(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        let key = AccountName.comparisonKey(text)
        check(AccountName.comparisonKey(key) == key || AccountName.problem(with: text) != nil, "comparison key of \(text.debugDescription) is not stable")
        _ = AccountName.problem(with: text)
        let trusted = [IPNetwork("127.0.0.1")!, IPNetwork("10.0.0.0/8")!, IPNetwork("fd00::/8")!]
        let resolved = ClientAddress.resolve(peer: "127.0.0.1", forwardedFor: text.split(separator: "\n").map(String.init), trusted: trusted)
        check(!resolved.isEmpty, "empty client address")
        _ = IPNetwork(text)
    }

    static func check(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { fatalError("fuzz invariant broken: \(message())") }
    }
}
