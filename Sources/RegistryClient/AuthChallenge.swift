/// One challenge of a `WWW-Authenticate` header (RFC 9110 §11.6.1): the scheme and its parameters, as registries
/// send them (`Bearer realm="https://auth.example/token",service="registry",scope="repository:a/b:pull"`).
public struct AuthChallenge: Sendable, Equatable {
    /// The scheme in lower case (`bearer`, `basic`).
    public let scheme: String
    /// The parameters by lower-cased name, quoted strings unescaped.
    public let parameters: [String: String]

    /// A challenge with `scheme` and `parameters`.
    public init(scheme: String, parameters: [String: String]) {
        self.scheme = scheme.lowercased()
        self.parameters = parameters
    }

    /// The challenges in a header value; unreadable parts are skipped (the header comes from a remote server).
    /// At most 16 challenges and 4 KiB are read.
    public static func parse(_ header: String) -> [AuthChallenge] {
        var scanner = Scanner(Array(header.utf8.prefix(4096)))
        var challenges: [AuthChallenge] = []
        while challenges.count < 16 {
            scanner.skip { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\t") }
            guard let scheme = scanner.token(), !scheme.isEmpty else { break }
            var parameters: [String: String] = [:]
            while true {
                let mark = scanner.position
                scanner.skip { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: ",") }
                guard let name = scanner.token(), !name.isEmpty else { scanner.position = mark; break }
                scanner.skip { $0 == UInt8(ascii: " ") }
                guard scanner.take(UInt8(ascii: "=")) else {
                    // The next challenge's scheme, not a parameter.
                    scanner.position = mark
                    break
                }
                scanner.skip { $0 == UInt8(ascii: " ") }
                let value = scanner.quoted() ?? scanner.token() ?? ""
                if parameters.count < 32 { parameters[name.lowercased()] = value }
            }
            challenges.append(AuthChallenge(scheme: scheme, parameters: parameters))
            if scanner.atEnd { break }
        }
        return challenges
    }
}

/// A cursor over header bytes.
private struct Scanner {
    let bytes: [UInt8]
    var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { position >= bytes.count }

    mutating func skip(while matches: (UInt8) -> Bool) {
        while position < bytes.count, matches(bytes[position]) { position += 1 }
    }

    mutating func take(_ byte: UInt8) -> Bool {
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    /// An RFC 9110 token (plus `/` and `=`-free token68 characters used in practice).
    mutating func token() -> String? {
        let start = position
        while position < bytes.count, Self.isTokenByte(bytes[position]) { position += 1 }
        return position > start ? String(decoding: bytes[start ..< position], as: UTF8.self) : nil
    }

    /// A quoted string with backslash escapes; nil when the cursor is not at a quote.
    mutating func quoted() -> String? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        var value: [UInt8] = []
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            if byte == UInt8(ascii: "\"") { break }
            if byte == UInt8(ascii: "\\"), position < bytes.count {
                value.append(bytes[position])
                position += 1
            } else {
                value.append(byte)
            }
        }
        return String(decoding: value, as: UTF8.self)
    }

    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a") ... UInt8(ascii: "z"), UInt8(ascii: "A") ... UInt8(ascii: "Z"), UInt8(ascii: "0") ... UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~/:".utf8.contains(byte)
        }
    }
}
