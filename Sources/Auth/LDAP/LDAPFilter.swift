/// An LDAP search filter (RFC 4515), parsed from its string form and encoded as BER.
public indirect enum LDAPFilter: Sendable, Equatable {
    /// `(&…)`.
    case and([LDAPFilter])
    /// `(|…)`.
    case or([LDAPFilter])
    /// `(!…)`.
    case not(LDAPFilter)
    /// `(attr=value)`.
    case equal(String, [UInt8])
    /// `(attr=*)`.
    case present(String)
    /// `(attr=ini*any*fin)`.
    case substrings(String, initial: [UInt8]?, any: [[UInt8]], final: [UInt8]?)
    /// `(attr>=value)`.
    case greaterOrEqual(String, [UInt8])
    /// `(attr<=value)`.
    case lessOrEqual(String, [UInt8])
    /// `(attr~=value)`.
    case approximate(String, [UInt8])

    /// A filter that is malformed.
    public struct ParseError: Error, Sendable, CustomStringConvertible {
        /// What is wrong.
        public let description: String
    }

    /// Parses a filter such as `(&(objectClass=person)(uid=alice))`. A filter without outer parentheses is accepted.
    public init(parsing text: String) throws {
        var bytes = Array(text.utf8)
        while let last = bytes.last, last == 0x20 { bytes.removeLast() }
        if bytes.first != 0x28 { bytes = [0x28] + bytes + [0x29] }
        var index = 0
        self = try Self.parse(bytes, &index)
        guard index == bytes.count else { throw ParseError(description: "unexpected text after the filter") }
    }

    /// Escapes a value for use inside a filter, so user input cannot change the filter's structure.
    public static func escape(_ value: String) -> String {
        var out = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "*": out += "\\2a"
            case "(": out += "\\28"
            case ")": out += "\\29"
            case "\\": out += "\\5c"
            case "\0": out += "\\00"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static func parse(_ b: [UInt8], _ i: inout Int) throws -> LDAPFilter {
        guard i < b.count, b[i] == 0x28 else { throw ParseError(description: "expected ( at position \(i)") }
        i += 1
        guard i < b.count else { throw ParseError(description: "unterminated filter") }
        let filter: LDAPFilter
        switch b[i] {
        case 0x26, 0x7C:  // & |
            let isAnd = b[i] == 0x26
            i += 1
            var parts: [LDAPFilter] = []
            while i < b.count, b[i] == 0x28 { parts.append(try parse(b, &i)) }
            filter = isAnd ? .and(parts) : .or(parts)
        case 0x21:  // !
            i += 1
            filter = .not(try parse(b, &i))
        default:
            filter = try item(b, &i)
        }
        guard i < b.count, b[i] == 0x29 else { throw ParseError(description: "expected ) at position \(i)") }
        i += 1
        return filter
    }

    private static func item(_ b: [UInt8], _ i: inout Int) throws -> LDAPFilter {
        let start = i
        while i < b.count, ![0x3D, 0x3C, 0x3E, 0x7E, 0x28, 0x29].contains(b[i]) { i += 1 }
        let attribute = String(decoding: b[start ..< i], as: UTF8.self)
        guard !attribute.isEmpty, i < b.count else { throw ParseError(description: "expected an attribute and an operator") }
        var op = "="
        if b[i] == 0x3C || b[i] == 0x3E || b[i] == 0x7E {
            guard i + 1 < b.count, b[i + 1] == 0x3D else { throw ParseError(description: "bad operator after \(attribute)") }
            op = String(UnicodeScalar(b[i])) + "="
            i += 2
        } else if b[i] == 0x3D {
            i += 1
        } else {
            throw ParseError(description: "expected an operator after \(attribute)")
        }
        // The value runs to the closing parenthesis; `*` separates substrings; `\xx` escapes a byte.
        var pieces: [[UInt8]] = [[]]
        while i < b.count, b[i] != 0x29 {
            if b[i] == 0x28 { throw ParseError(description: "unescaped ( in a value") }
            if b[i] == 0x2A, op == "=" {
                pieces.append([])
                i += 1
            } else if b[i] == 0x5C {
                guard i + 2 < b.count, let byte = UInt8(String(decoding: b[i + 1 ... i + 2], as: UTF8.self), radix: 16) else {
                    throw ParseError(description: "bad escape in a value")
                }
                pieces[pieces.count - 1].append(byte)
                i += 3
            } else {
                pieces[pieces.count - 1].append(b[i])
                i += 1
            }
        }
        switch op {
        case ">=": return .greaterOrEqual(attribute, pieces[0])
        case "<=": return .lessOrEqual(attribute, pieces[0])
        case "~=": return .approximate(attribute, pieces[0])
        default:
            if pieces.count == 1 { return .equal(attribute, pieces[0]) }
            if pieces.count == 2, pieces[0].isEmpty, pieces[1].isEmpty { return .present(attribute) }
            return .substrings(attribute, initial: pieces.first!.isEmpty ? nil : pieces.first!, any: pieces.dropFirst().dropLast().filter { !$0.isEmpty },
                               final: pieces.last!.isEmpty ? nil : pieces.last!)
        }
    }
}
