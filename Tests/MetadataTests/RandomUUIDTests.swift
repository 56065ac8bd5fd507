import Foundation
import Metadata
import Testing

@Suite("RandomUUID")
struct RandomUUIDTests {
    @Test("version 4 UUIDs with the RFC 4122 variant, all different, in the lower-case text form")
    func versionVariantAndUniqueness() {
        var seen = Set<String>()
        for _ in 0 ..< 20_000 {
            let text = RandomUUID.text()
            #expect(text.range(of: #"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"#, options: .regularExpression) != nil, "\(text)")
            seen.insert(text)
        }
        #expect(seen.count == 20_000)
        // Every one of the 122 random bits takes both values across a few hundred UUIDs.
        let samples = (0 ..< 400).map { _ in RandomUUID.make().uuid }
        for byte in 0 ..< 16 {
            let fixed: UInt8 = byte == 6 ? 0xF0 : byte == 8 ? 0xC0 : 0
            let ones = samples.reduce(UInt8(0)) { $0 | withUnsafeBytes(of: $1) { $0[byte] } }
            let zeros = samples.reduce(UInt8(0)) { $0 | ~withUnsafeBytes(of: $1) { $0[byte] } }
            #expect(ones | fixed == 0xFF && zeros | fixed == 0xFF, "byte \(byte) has a bit stuck")
        }
    }
}
