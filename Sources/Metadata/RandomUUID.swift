import Foundation

/// Random (version 4) UUIDs from the standard library's system generator (the `getrandom` call). Foundation's `UUID()`
/// on Linux opens, reads and closes `/dev/urandom` for every UUID: three system calls on each event Berth records and
/// each notification it sends.
public enum RandomUUID {
    /// A new random UUID.
    public static func make() -> UUID {
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8](repeating: 0, count: 16)
        for half in 0 ..< 2 {
            let word: UInt64 = generator.next()
            for index in 0 ..< 8 { bytes[half * 8 + index] = UInt8(truncatingIfNeeded: word >> (8 * index)) }
        }
        bytes[6] = (bytes[6] & 0x0F) | 0x40  // version 4
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 4122 variant
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }

    /// A new random UUID as lower-case text (`xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`).
    public static func text() -> String { make().uuidString.lowercased() }
}
