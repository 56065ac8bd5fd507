import Auth
import Crypto
import Testing

@Suite("Sealed secrets")
struct SecretSealerTests {
    @Test("sealed secrets open with their key only, differ each time, and refuse tampering")
    func sealsAndOpens() throws {
        let sealer = SecretSealer(key: SymmetricKey(size: .bits256))
        let sealed = try sealer.seal("robot$harbor:S3cret")
        #expect(sealed.hasPrefix("sealed:v1:") && !sealed.contains("S3cret"))
        #expect(try sealer.open(sealed) == "robot$harbor:S3cret")
        #expect(try sealer.seal("robot$harbor:S3cret") != sealed)
        #expect(try sealer.seal("") == "" && sealer.open("") == "")
        #expect(throws: (any Error).self) { try SecretSealer(key: SymmetricKey(size: .bits256)).open(sealed) }
        var tampered = Array(sealed.utf8)
        tampered[tampered.count - 5] = tampered[tampered.count - 5] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(throws: (any Error).self) { try sealer.open(String(decoding: tampered, as: UTF8.self)) }
        #expect(throws: (any Error).self) { try sealer.open("plain text") }
    }
}
