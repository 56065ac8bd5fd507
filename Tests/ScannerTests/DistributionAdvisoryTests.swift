import Foundation
import Scanner
import Testing

/// Debian security tracker and Alpine secdb files in their upstream schemas, matched against inventories of those
/// distributions; malformed advisory files refused with the file and field named.
@Suite("Distribution advisories")
struct DistributionAdvisoryTests {
    /// The tracker's export shape: source package → CVE → releases → codename.
    static let tracker = """
        {
          "openssl": {
            "CVE-2024-0727": {
              "description": "Processing a maliciously formatted PKCS12 file may lead OpenSSL to crash",
              "scope": "local",
              "releases": {
                "bookworm": {"status": "resolved", "repositories": {"bookworm": "3.0.11-1~deb12u2"}, "fixed_version": "3.0.13-1~deb12u1", "urgency": "not yet assigned"},
                "bullseye": {"status": "resolved", "repositories": {"bullseye": "1.1.1w-0+deb11u1"}, "fixed_version": "1.1.1w-0+deb11u2", "urgency": "medium"},
                "sid": {"status": "resolved", "repositories": {"sid": "3.1.5-1"}, "fixed_version": "3.1.5-1", "urgency": "not yet assigned"}
              }
            },
            "CVE-2023-5678": {
              "description": "Generating excessively long X9.42 DH keys may be very slow",
              "scope": "remote",
              "releases": {
                "bookworm": {"status": "resolved", "repositories": {"bookworm": "3.0.11-1~deb12u2"}, "fixed_version": "3.0.11-1~deb12u1", "urgency": "low"}
              }
            },
            "CVE-2010-0928": {
              "description": "OpenSSL 0.9.8i on the Gaisler Research LEON3 SoC ...",
              "scope": "local",
              "releases": {
                "bookworm": {"status": "open", "repositories": {"bookworm": "3.0.11-1~deb12u2"}, "urgency": "unimportant"}
              }
            }
          },
          "zlib": {
            "CVE-2018-25032": {
              "description": "zlib before 1.2.12 allows memory corruption when deflating",
              "scope": "remote",
              "releases": {
                "bookworm": {"status": "resolved", "repositories": {"bookworm": "1:1.2.13.dfsg-1"}, "fixed_version": "0", "urgency": "high"}
              }
            },
            "CVE-2023-45853": {
              "description": "MiniZip in zlib through 1.3 has an integer overflow",
              "scope": "remote",
              "releases": {
                "bookworm": {"status": "resolved", "repositories": {"bookworm": "1:1.2.13.dfsg-1"}, "fixed_version": "1:1.2.13.dfsg-1+deb12u1", "urgency": "high**"}
              }
            }
          }
        }
        """

    /// A secdb file's shape (secdb.alpinelinux.org/v3.19/main.json).
    static let secdb = """
        {
          "apkurl": "{{urlprefix}}/{{distroversion}}/{{reponame}}/{{arch}}/{{pkg.name}}-{{pkg.ver}}.apk",
          "archs": ["aarch64", "x86_64"],
          "reponame": "main",
          "urlprefix": "https://dl-cdn.alpinelinux.org/alpine",
          "distroversion": "v3.19",
          "packages": [
            {"pkg": {"name": "musl", "secfixes": {"1.2.2_pre2-r0": ["CVE-2020-28928"], "1.2.4_git20230717-r5": ["CVE-2025-26519 ALPINE-13661"], "0": ["CVE-2019-14697"]}}},
            {"pkg": {"name": "busybox", "secfixes": {"1.36.1-r16": ["CVE-2023-42363", "CVE-2023-42364"]}}}
          ]
        }
        """

    static func debianInventory(release: String = "12", openssl: String = "3.0.11-1~deb12u2") -> Inventory {
        Inventory(operatingSystem: OperatingSystem(id: "debian", versionID: release, codename: "", prettyName: "Debian"), packages: [
            InstalledPackage(ecosystem: .deb, name: "libssl3", version: openssl, sourceName: "openssl", sourceVersion: openssl, location: "var/lib/dpkg/status"),
            InstalledPackage(ecosystem: .deb, name: "zlib1g", version: "1:1.2.13.dfsg-1+b1", sourceName: "zlib", sourceVersion: "1:1.2.13.dfsg-1", location: "var/lib/dpkg/status"),
        ])
    }

    @Test("the Debian tracker: a fix in a later version is reported with it, one in an earlier version or in 0 is not, open ones have no fix")
    func debianTracker() throws {
        let advisories = try AdvisoryDocument.advisories(Array(Self.tracker.utf8), file: "tracker.json")
        let findings = AdvisoryMatcher(advisories).match(Self.debianInventory())
        #expect(findings.map { "\($0.package.name) \($0.advisoryID) \($0.fixedVersion ?? "-") \($0.severity.rawValue)" } == [
            "zlib1g CVE-2023-45853 1:1.2.13.dfsg-1+deb12u1 High",
            "libssl3 CVE-2024-0727 3.0.13-1~deb12u1 Medium",
            "libssl3 CVE-2010-0928 - Low",
        ])
        // bookworm's data does not apply to bullseye, and a release with no advisories gets none.
        let bullseye = AdvisoryMatcher(advisories).match(Self.debianInventory(release: "11", openssl: "1.1.1w-0+deb11u1"))
        #expect(bullseye.map { "\($0.advisoryID) \($0.fixedVersion ?? "-")" } == ["CVE-2024-0727 1.1.1w-0+deb11u2"])
        #expect(AdvisoryMatcher(advisories).match(Self.debianInventory(release: "13")).isEmpty)
        #expect(findings.first?.links == ["https://security-tracker.debian.org/tracker/CVE-2023-45853"])
    }

    @Test("Alpine secdb: fixes by branch; 0 means never affected; an entry may carry two identifiers")
    func alpineSecdb() throws {
        let advisories = try AdvisoryDocument.advisories(Array(Self.secdb.utf8), file: "v3.19/main.json")
        let inventory = Inventory(operatingSystem: OperatingSystem(id: "alpine", versionID: "3.19.1", codename: "", prettyName: "Alpine"), packages: [
            InstalledPackage(ecosystem: .apk, name: "musl", version: "1.2.4_git20230717-r4", sourceName: "musl", sourceVersion: "1.2.4_git20230717-r4", location: "lib/apk/db/installed"),
            InstalledPackage(ecosystem: .apk, name: "busybox-binsh", version: "1.36.1-r16", sourceName: "busybox", sourceVersion: "1.36.1-r16", location: "lib/apk/db/installed"),
        ])
        let findings = AdvisoryMatcher(advisories).match(inventory)
        #expect(findings.map { "\($0.package.name) \($0.advisoryID) \($0.fixedVersion ?? "-")" } == ["musl CVE-2025-26519 1.2.4_git20230717-r5"])
        var other = inventory
        other.operatingSystem?.versionID = "3.18.4"
        #expect(AdvisoryMatcher(advisories).match(other).isEmpty)
    }

    @Test("Alpine secdb: a CVE fixed in two packages is one advisory affecting both, each at its own fixed version")
    func alpineSharedCVE() throws {
        let secdb = """
            {"distroversion": "v3.19", "reponame": "main", "packages": [
              {"pkg": {"name": "musl", "secfixes": {"1.2.4_git20230717-r5": ["CVE-2099-5"]}}},
              {"pkg": {"name": "busybox", "secfixes": {"1.36.1-r17": ["CVE-2099-5"]}}}]}
            """
        let advisories = try AdvisoryDocument.advisories(Array(secdb.utf8), file: "main.json")
        #expect(advisories.count == 1 && Set(advisories.first?.affected.map(\.name) ?? []) == ["musl", "busybox"])
        let inventory = Inventory(operatingSystem: OperatingSystem(id: "alpine", versionID: "3.19.1", codename: "", prettyName: "Alpine"), packages: [
            InstalledPackage(ecosystem: .apk, name: "musl", version: "1.2.4_git20230717-r4", sourceName: "musl", sourceVersion: "1.2.4_git20230717-r4", location: "x"),
            InstalledPackage(ecosystem: .apk, name: "busybox", version: "1.36.1-r16", sourceName: "busybox", sourceVersion: "1.36.1-r16", location: "x"),
        ])
        #expect(AdvisoryMatcher(advisories).match(inventory).map { "\($0.package.name) \($0.fixedVersion ?? "")" }.sorted()
            == ["busybox 1.36.1-r17", "musl 1.2.4_git20230717-r5"])
    }

    @Test("OSV ranges: introduced/fixed pairs, last_affected, listed versions; severity from the source or CVSS")
    func osvRanges() throws {
        let json = """
            {"id": "PYSEC-2099-1", "modified": "2099-01-01T00:00:00Z", "aliases": ["CVE-2099-1"],
             "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
             "affected": [{"package": {"ecosystem": "PyPI", "name": "Requests"},
                           "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "2.0"}, {"fixed": "2.28.2"}, {"introduced": "3.0.0a1"}, {"last_affected": "3.0.1"}]}],
                           "versions": ["1.9"]}]}
            """
        let advisory = try #require(try OSVFormat.advisory(Array(json.utf8), file: "a.json"))
        #expect(advisory.severity == .critical && advisory.affected.first?.name == "requests")
        let matcher = AdvisoryMatcher([advisory])
        func fix(_ version: String) -> String? {
            let found = matcher.match(Inventory(operatingSystem: nil, packages: [InstalledPackage(ecosystem: .pypi, name: "requests", version: version, location: "x")]))
            return found.first.map { $0.fixedVersion ?? "-" }
        }
        #expect(fix("1.8") == nil && fix("1.9") == "2.28.2" && fix("2.0") == "2.28.2" && fix("2.28.1") == "2.28.2")
        #expect(fix("2.28.2") == nil && fix("2.31.0") == nil && fix("3.0.0") == "-" && fix("3.0.1") == "-" && fix("3.0.2") == nil)
        #expect(CVSS3.baseScore("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H") == 9.8)
        #expect(CVSS3.baseScore("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N") == 6.4)
        #expect(CVSS3.baseScore("CVSS:3.0/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N") == 5.5)
        #expect(CVSS3.baseScore("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N") == 0)
        #expect(CVSS3.baseScore("CVSS:3.1/AV:X/AC:L") == nil)
    }

    @Test("malformed advisory files are refused naming the file and the field or the place of the error")
    func malformed() throws {
        func reason(_ text: String) -> String? {
            do {
                _ = try AdvisoryDocument.advisories(Array(text.utf8), file: "bad.json")
                return nil
            } catch let error as AdvisoryFormatError {
                #expect(error.file == "bad.json")
                return error.reason
            } catch {
                return "\(error)"
            }
        }
        #expect(reason("{\"id\": \"GO-1\", \"affected\": [{\"package\": {\"name\": \"x\"}}]}")?.contains("affected[0].package") == true)
        #expect(reason("{\"id\": 7, \"modified\": \"x\"}")?.contains("id") == true)
        #expect(reason("{\"openssl\": {\"CVE-1\": {\"releases\": {\"bookworm\": {\"status\": \"resolved\", \"fixed_version\": 3}}}}}")?
            .contains("openssl.CVE-1.releases.bookworm.fixed_version") == true)
        #expect(reason("{\"openssl\": {\"CVE-1\": {\"releases\": {\"bookworm\": {\"status\": \"fixed-ish\"}}}}}")?.contains("status") == true)
        #expect(reason("{\"distroversion\": \"v3.19\", \"packages\": [{\"pkg\": {\"secfixes\": {}}}]}")?.contains("packages[0].pkg.name") == true)
        #expect(reason("{\"id\": \"GO-1\",\n \"affected\": [ oops ]}")?.contains("line 2") == true)
        #expect(reason("[1, 2]")?.contains("top level") == true)
        #expect(reason("{\"something\": 1}") != nil)
    }
}

/// Package URLs and SBOM documents made from inventories.
@Suite("SBOM")
struct SBOMTests {
    @Test("package URLs follow the purl spec for each ecosystem: epochs as qualifiers, scopes and module paths as namespaces, encoding")
    func packageURLs() {
        let debian = OperatingSystem(id: "debian", versionID: "12", codename: "bookworm", prettyName: "Debian 12")
        #expect(PackageURL.of(InstalledPackage(ecosystem: .deb, name: "zlib1g", version: "1:1.2.13.dfsg-1+b1", architecture: "amd64", location: "x"), on: debian)
            == "pkg:deb/debian/zlib1g@1.2.13.dfsg-1%2Bb1?arch=amd64&distro=debian-12&epoch=1")
        #expect(PackageURL.of(InstalledPackage(ecosystem: .npm, name: "@babel/core", version: "7.22.5", location: "x"), on: nil) == "pkg:npm/%40babel/core@7.22.5")
        #expect(PackageURL.of(InstalledPackage(ecosystem: .go, name: "golang.org/x/net", version: "v0.7.0", location: "x"), on: nil) == "pkg:golang/golang.org/x/net@v0.7.0")
        #expect(PackageURL.of(InstalledPackage(ecosystem: .pypi, name: "PyYAML", version: "6.0", location: "x"), on: nil) == "pkg:pypi/pyyaml@6.0")
        #expect(PackageURL.of(InstalledPackage(ecosystem: .maven, name: "org.yaml:snakeyaml", version: "1.33", location: "x"), on: nil) == "pkg:maven/org.yaml/snakeyaml@1.33")
    }

    @Test("SPDX and CycloneDX documents name the image and every package once, with its purl")
    func documents() throws {
        let inventory = Inventory(operatingSystem: OperatingSystem(id: "alpine", versionID: "3.19.1", codename: "", prettyName: "Alpine"), packages: [
            InstalledPackage(ecosystem: .apk, name: "musl", version: "1.2.4_git20230717-r4", sourceName: "musl", architecture: "x86_64", location: "lib/apk/db/installed"),
            InstalledPackage(ecosystem: .go, name: "stdlib", version: "1.19.8", location: "usr/bin/app"),
        ])
        let subject = SBOM.Subject(repository: "library/app", digest: "sha256:" + String(repeating: "a", count: 64), registryHost: "registry.example:5000")
        let spdx = try JSONSerialization.jsonObject(with: Data(try SBOM.spdx(inventory, subject: subject, created: Date(timeIntervalSince1970: 0), documentID: "d"))) as? [String: Any]
        let packages = spdx?["packages"] as? [[String: Any]] ?? []
        #expect(packages.count == 4)  // the image, the distribution, two packages
        #expect(Set(packages.compactMap { $0["SPDXID"] as? String }).count == 4)
        #expect((spdx?["relationships"] as? [[String: Any]])?.filter { $0["relationshipType"] as? String == "CONTAINS" }.count == 3)
        #expect((spdx?["creationInfo"] as? [String: Any])?["created"] as? String == "1970-01-01T00:00:00Z")
        let musl = packages.first { $0["name"] as? String == "musl" }
        #expect(((musl?["externalRefs"] as? [[String: Any]])?.first?["referenceLocator"] as? String) == "pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=x86_64&distro=alpine-3.19.1")
        let cdx = try JSONSerialization.jsonObject(with: Data(try SBOM.cycloneDX(inventory, subject: subject, created: Date(), serial: "s"))) as? [String: Any]
        let components = cdx?["components"] as? [[String: Any]] ?? []
        #expect(components.map { $0["name"] as? String ?? "" } == ["alpine", "musl", "stdlib"])
        #expect(components.last?["purl"] as? String == "pkg:golang/stdlib@1.19.8")
    }
}
