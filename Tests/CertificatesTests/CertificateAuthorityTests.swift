import Foundation
import Testing
@testable import Certificates

@Suite struct CertificateAuthorityTests {
    @Test func storedFormRoundTripsAndKeepsTheFingerprint() throws {
        let authority = try CertificateAuthority.generate()
        let again = try CertificateAuthority(stored: try authority.storedForm)
        #expect(try again.fingerprint == authority.fingerprint)
        #expect(try again.certificatePEM == authority.certificatePEM)
        #expect(authority.certificate.notValidAfter.timeIntervalSinceNow > 19 * 365 * 86_400)
    }

    @Test func aStoredFormWithAnotherKeyIsRefused() throws {
        let one = try CertificateAuthority.generate()
        let other = try CertificateAuthority.generate()
        let mixed = try one.certificatePEM + PEMBlock.blocks(in: try other.storedForm).first { $0.label.hasSuffix("PRIVATE KEY") }!.text
        #expect(throws: CertificateProblem.self) { try CertificateAuthority(stored: mixed) }
        #expect(throws: CertificateProblem.self) { try CertificateAuthority(stored: "nothing here") }
    }

    @Test func issuedCertificatesNameTheHostsAndChainToTheAuthority() throws {
        let authority = try CertificateAuthority.generate()
        var names = SubjectNames()
        names.addLoopback()
        try names.add("https://registry.example.org:8443/")
        try names.add("10.1.2.3")
        try names.add("[fd00::1]")
        let identity = try authority.issueServerCertificate(for: names, lifetime: 3600)
        #expect(identity.chain.count == 2)
        #expect(identity.leaf.issuer == authority.certificate.subject)
        #expect(names.dnsNames == ["localhost", "registry.example.org"])
        #expect(names.ipAddresses.count == 4)
        #expect(identity.authorityFingerprint == (try authority.fingerprint))
        #expect(identity.leaf.notValidAfter.timeIntervalSinceNow <= 3601)  // X.509 times have whole seconds
        // A TLS context can be built from it, with and without client certificates.
        _ = try identity.serverContext(clientTrust: nil, applicationProtocols: ["h2", "http/1.1"])
    }

    @Test func renewalIsDueAfterHalfTheLifetime() throws {
        let authority = try CertificateAuthority.generate()
        let source = IdentitySource.generated(authority, names: SubjectNames(), lifetime: 7200)
        let now = Date()
        let identity = try source.load(now: now)
        // The certificate is back-dated an hour, so its validity runs from now-1h to now+2h: half is at now+30min.
        #expect(!source.isDue(identity, now: now))
        #expect(!source.isDue(identity, now: now.addingTimeInterval(1700)))
        #expect(source.isDue(identity, now: now.addingTimeInterval(1900)))
    }

    @Test func namesThatAreNeitherHostsNorAddressesAreRefused() {
        var names = SubjectNames()
        for bad in ["", "a b", "-bad.example", "under_score.example", "ex ample", String(repeating: "a", count: 64) + ".example"] {
            #expect(throws: CertificateProblem.self, "\(bad)") { try names.add(bad) }
        }
        #expect(names.dnsNames.isEmpty)
    }
}

@Suite struct FingerprintTests {
    @Test func everyCommonSpellingIsRead() throws {
        let authority = try CertificateAuthority.generate()
        let fingerprint = try authority.fingerprint
        let hex = String(fingerprint.description.dropFirst(7))
        for spelling in [fingerprint.description, hex, hex.uppercased(), fingerprint.colonSeparated, "SHA256 Fingerprint=" + fingerprint.colonSeparated,
                         "  \(fingerprint)\n"] {
            #expect(CertificateFingerprint(spelling) == fingerprint, "\(spelling)")
        }
        for bad in ["", "sha256:", "sha256:" + hex.dropLast(), "sha256:" + hex + "00", "md5:" + hex, "sha256:" + hex.dropLast() + "g", "::::"] {
            #expect(CertificateFingerprint(bad) == nil, "\(bad)")
        }
    }
}

@Suite struct ServingCertificatesTests {
    @Test func aDueGeneratedCertificateIsReplacedByANewOneFromTheSameAuthority() throws {
        let authority = try CertificateAuthority.generate()
        var names = SubjectNames()
        names.addLoopback()
        let source = IdentitySource.generated(authority, names: names, lifetime: 3 * 3600)
        let start = Date()
        let serving = try ServingCertificates(identity: try source.load(now: start), clientTrust: nil, applicationProtocols: ["h2", "http/1.1"])
        let first = serving.identity
        let firstContext = serving.context
        #expect(!source.isDue(first, now: start.addingTimeInterval(1800)))
        // Valid from an hour before the start to three hours after it: half has passed an hour after the start.
        let later = start.addingTimeInterval(3600 + 60)
        #expect(source.isDue(first, now: later))
        try serving.replace(with: try source.load(now: later))
        #expect(serving.identity.leaf.serialNumber != first.leaf.serialNumber)
        #expect(serving.identity.leaf.issuer == first.leaf.issuer)
        #expect(serving.identity.authorityFingerprint == first.authorityFingerprint)
        #expect(serving.context !== firstContext)
        #expect(!source.isDue(serving.identity, now: later))
    }

    @Test func operatorFilesAreNeverDueButTheirStampFollowsTheFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("stamp-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let certificate = directory + "/c.pem", key = directory + "/k.pem"
        try "one".write(toFile: certificate, atomically: true, encoding: .utf8)
        try "key".write(toFile: key, atomically: true, encoding: .utf8)
        let source = IdentitySource.files(certificate: certificate, key: key)
        let before = source.fileStamp()
        #expect(before == source.fileStamp())
        try "two!".write(toFile: certificate, atomically: true, encoding: .utf8)
        #expect(before != source.fileStamp())
        #expect(throws: CertificateProblem.self) { try source.load() }
    }
}
