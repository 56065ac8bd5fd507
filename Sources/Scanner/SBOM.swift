import Foundation

/// Software bills of materials made from an inventory: SPDX 2.3 JSON and CycloneDX 1.5 JSON, each naming the image
/// and every package with its version, package URL and where in the image it was found.
public enum SBOM {
    /// What the SBOM describes.
    public struct Subject: Sendable {
        /// The repository (`library/app`).
        public var repository: String
        /// The image's manifest digest.
        public var digest: String
        /// The registry's host, for the SPDX document namespace.
        public var registryHost: String

        /// A subject.
        public init(repository: String, digest: String, registryHost: String) {
            self.repository = repository
            self.digest = digest
            self.registryHost = registryHost
        }
    }

    /// The SPDX 2.3 JSON document for `inventory`.
    public static func spdx(_ inventory: Inventory, subject: Subject, created: Date, documentID: String) throws -> [UInt8] {
        var packages: [[String: Any]] = [[
            "name": subject.repository, "SPDXID": "SPDXRef-Image", "versionInfo": subject.digest, "downloadLocation": "NOASSERTION",
            "filesAnalyzed": false, "primaryPackagePurpose": "CONTAINER",
            "externalRefs": [["referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
                              "referenceLocator": "pkg:oci/\(PackageURL.encode(LayerPath.name(subject.repository)))@\(PackageURL.encode(subject.digest))"
                                  + "?repository_url=\(PackageURL.encode(subject.registryHost + "/" + subject.repository))"]],
        ]]
        var relationships: [[String: Any]] = [["spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": "SPDXRef-Image"]]
        if let os = inventory.operatingSystem {
            packages.append(["name": os.id, "SPDXID": "SPDXRef-OperatingSystem", "versionInfo": os.versionID, "downloadLocation": "NOASSERTION",
                             "filesAnalyzed": false, "primaryPackagePurpose": "OPERATING-SYSTEM", "summary": os.prettyName])
            relationships.append(["spdxElementId": "SPDXRef-Image", "relationshipType": "CONTAINS", "relatedSpdxElement": "SPDXRef-OperatingSystem"])
        }
        for (index, package) in inventory.packages.enumerated() {
            let id = "SPDXRef-Package-\(package.ecosystem.rawValue)-\(index + 1)"
            var entry: [String: Any] = [
                "name": package.name, "SPDXID": id, "versionInfo": package.version, "downloadLocation": "NOASSERTION", "filesAnalyzed": false,
                "primaryPackagePurpose": "LIBRARY", "sourceInfo": "found in \(package.location)",
                "externalRefs": [["referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
                                  "referenceLocator": PackageURL.of(package, on: inventory.operatingSystem)]],
            ]
            if let source = package.sourceName, source != package.name { entry["comment"] = "source package \(source) \(package.sourceVersion ?? "")" }
            packages.append(entry)
            relationships.append(["spdxElementId": "SPDXRef-Image", "relationshipType": "CONTAINS", "relatedSpdxElement": id])
        }
        let document: [String: Any] = [
            "spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT",
            "name": "\(subject.repository)@\(subject.digest)",
            "documentNamespace": "https://\(subject.registryHost)/spdx/\(subject.repository)/\(subject.digest)/\(documentID)",
            "creationInfo": ["created": timestamp(created), "creators": ["Tool: Berth-1.0", "Organization: Berth"]],
            "packages": packages, "relationships": relationships,
        ]
        return Array(try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes]))
    }

    /// The CycloneDX 1.5 JSON document for `inventory`.
    public static func cycloneDX(_ inventory: Inventory, subject: Subject, created: Date, serial: String) throws -> [UInt8] {
        var components: [[String: Any]] = []
        if let os = inventory.operatingSystem {
            components.append(["type": "operating-system", "bom-ref": "os", "name": os.id, "version": os.versionID, "description": os.prettyName])
        }
        for (index, package) in inventory.packages.enumerated() {
            var component: [String: Any] = [
                "type": "library", "bom-ref": "pkg-\(index + 1)", "name": package.name, "version": package.version,
                "purl": PackageURL.of(package, on: inventory.operatingSystem),
                "properties": [["name": "berth:location", "value": package.location], ["name": "berth:ecosystem", "value": package.ecosystem.rawValue]],
            ]
            if let source = package.sourceName, source != package.name {
                component["properties"] = (component["properties"] as! [[String: String]]) + [["name": "berth:source-package", "value": source]]
            }
            components.append(component)
        }
        let document: [String: Any] = [
            "bomFormat": "CycloneDX", "specVersion": "1.5", "serialNumber": "urn:uuid:\(serial)", "version": 1,
            "metadata": [
                "timestamp": timestamp(created),
                "tools": ["components": [["type": "application", "name": "Berth", "version": "1.0"]]],
                "component": ["type": "container", "bom-ref": "image", "name": subject.repository, "version": subject.digest],
            ],
            "components": components,
            "dependencies": [["ref": "image", "dependsOn": components.compactMap { $0["bom-ref"] as? String }]],
        ]
        return Array(try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes]))
    }

    /// RFC 3339 in UTC, to the second.
    public static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
