import OCI
import Testing

@Suite("Digests")
struct DigestTests {
    @Test("SHA-256 of known input")
    func knownValue() {
        #expect(Digest.compute(of: Array("abc".utf8)).description == "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Digest.compute(.sha512, of: Array("abc".utf8)).hex.hasPrefix("ddaf35a193617aba"))
    }

    @Test("parsing accepts canonical digests and rejects malformed ones with DIGEST_INVALID")
    func parsing() throws {
        let hex = String(repeating: "a", count: 64)
        #expect(try Digest(parsing: "sha256:\(hex)").hex == hex)
        for bad in ["sha256", "sha256:", "sha256:\(hex.dropLast())", "sha256:\(hex.uppercased())", "sha256:\(hex)0", ":abc", "sha256:zz\(hex.dropFirst(2))"] {
            #expect(throws: DistributionError.self) { try Digest(parsing: bad) }
        }
        do {
            _ = try Digest(parsing: "md5:\(hex)")
            Issue.record("md5 accepted")
        } catch {
            #expect(error.code == .unsupported)
        }
    }

    @Test("a saved hash state resumes to the same digest")
    func resumableHash() {
        let data = Array(repeating: UInt8(7), count: 100_000)
        var first = DigestHasher(.sha256)
        data[0 ..< 33333].withUnsafeBytes { first.update($0) }
        let saved = first.savedState
        var resumed = try! #require(DigestHasher(restoring: saved))
        data[33333...].withUnsafeBytes { resumed.update($0) }
        #expect(resumed.digest() == Digest.compute(of: data))
        #expect(DigestHasher(restoring: Array(saved.dropLast())) == nil)
        #expect(DigestHasher(restoring: []) == nil)
    }
}

@Suite("Names and tags")
struct NameTests {
    @Test("repository names follow the distribution grammar", arguments: [
        "a", "library/nginx", "a-b/c.d/e_f", "a__b", "a---b", "x1/y2/z3",
    ])
    func validNames(_ name: String) throws {
        #expect(try RepositoryName(name).value == name)
    }

    @Test("invalid repository names get NAME_INVALID", arguments: [
        "", "A", "a/", "/a", "a//b", "-a", "a-", "a___b", "a..b", "a/../b", "a b", "a.-b", String(repeating: "a", count: 256),
    ])
    func invalidNames(_ name: String) {
        #expect(throws: DistributionError.self) { try RepositoryName(name) }
    }

    @Test("tags follow [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}")
    func tags() throws {
        for good in ["latest", "v1.0.0", "_x", "A-b_c.d", String(repeating: "t", count: 128)] { #expect(try Tag(good).value == good) }
        for bad in ["", ".x", "-x", "a:b", "a/b", String(repeating: "t", count: 129)] {
            #expect(throws: DistributionError.self) { try Tag(bad) }
        }
    }

    @Test("a reference with a colon is a digest, otherwise a tag")
    func references() throws {
        let hex = String(repeating: "b", count: 64)
        #expect(try Reference(parsing: "sha256:\(hex)") == .digest(try Digest(parsing: "sha256:\(hex)")))
        #expect(try Reference(parsing: "v1") == .tag(try Tag("v1")))
        #expect(throws: DistributionError.self) { try Reference(parsing: "sha256:totallywrong") }
    }
}
