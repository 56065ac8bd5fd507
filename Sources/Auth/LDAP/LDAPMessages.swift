import SwiftASN1

/// LDAPv3 protocol messages (RFC 4511) as BER, built and read with swift-asn1.
enum LDAPMessages {
    /// Search scope.
    enum Scope: Int, Sendable {
        case base = 0, oneLevel = 1, subtree = 2
    }

    /// An LDAP result (the common part of bind, search-done and extended responses).
    struct Result: Sendable, Equatable {
        var code: Int
        var matchedDN: String
        var message: String
    }

    /// A search result entry: DN and attribute values.
    struct Entry: Sendable, Equatable {
        var dn: String
        var attributes: [String: [String]]

        /// Values of an attribute, matched without regard to case (LDAP attribute names are case-insensitive).
        func values(_ name: String) -> [String] {
            attributes.first { $0.key.caseInsensitiveCompare(name) == .orderedSame }?.value ?? []
        }
    }

    /// A decoded response.
    enum Response: Sendable, Equatable {
        case bind(Result)
        case searchEntry(Entry)
        case searchReference
        case searchDone(Result)
        case extended(Result)
        case other(tag: UInt)
    }

    static func application(_ n: UInt) -> ASN1Identifier { ASN1Identifier(tagWithNumber: n, tagClass: .application) }
    static func context(_ n: UInt) -> ASN1Identifier { ASN1Identifier(tagWithNumber: n, tagClass: .contextSpecific) }

    /// The StartTLS extended operation's OID.
    static let startTLSOID = "1.3.6.1.4.1.1466.20037"

    static func bindRequest(id: Int, dn: String, password: String) -> [UInt8] {
        envelope(id) { s in
            s.appendConstructedNode(identifier: application(0)) { s in
                integer(3, &s)
                octets(Array(dn.utf8), &s)
                s.appendPrimitiveNode(identifier: context(0)) { $0.append(contentsOf: Array(password.utf8)) }
            }
        }
    }

    static func unbindRequest(id: Int) -> [UInt8] {
        envelope(id) { s in s.appendPrimitiveNode(identifier: application(2)) { _ in } }
    }

    static func startTLSRequest(id: Int) -> [UInt8] {
        envelope(id) { s in
            s.appendConstructedNode(identifier: application(23)) { s in
                s.appendPrimitiveNode(identifier: context(0)) { $0.append(contentsOf: Array(startTLSOID.utf8)) }
            }
        }
    }

    static func searchRequest(id: Int, base: String, scope: Scope, filter: LDAPFilter, attributes: [String], sizeLimit: Int, timeLimit: Int) -> [UInt8] {
        envelope(id) { s in
            s.appendConstructedNode(identifier: application(3)) { s in
                octets(Array(base.utf8), &s)
                enumerated(scope.rawValue, &s)
                enumerated(0, &s)  // never dereference aliases
                integer(sizeLimit, &s)
                integer(timeLimit, &s)
                s.appendPrimitiveNode(identifier: .boolean) { $0.append(0x00) }
                encode(filter, &s)
                s.appendConstructedNode(identifier: .sequence) { s in
                    for attribute in attributes { octets(Array(attribute.utf8), &s) }
                }
            }
        }
    }

    /// Reads one LDAPMessage: its id and response.
    static func decode(_ bytes: [UInt8]) throws -> (id: Int, response: Response) {
        let node = try BER.parse(bytes)
        guard node.identifier == .sequence, case .constructed(let children) = node.content else { throw LDAPError.protocolError("not an LDAPMessage") }
        var iterator = children.makeIterator()
        guard let idNode = iterator.next(), let opNode = iterator.next() else { throw LDAPError.protocolError("short LDAPMessage") }
        let id = try integerValue(idNode)
        guard opNode.identifier.tagClass == .application else { throw LDAPError.protocolError("protocolOp is not application-tagged") }
        switch opNode.identifier.tagNumber {
        case 1: return (id, .bind(try result(opNode)))
        case 4: return (id, .searchEntry(try entry(opNode)))
        case 5: return (id, .searchDone(try result(opNode)))
        case 19: return (id, .searchReference)
        case 24: return (id, .extended(try result(opNode)))
        default: return (id, .other(tag: opNode.identifier.tagNumber))
        }
    }

    /// The total length of the BER element at the start of `bytes`, or nil when more bytes are needed.
    static func frameLength(_ bytes: some Collection<UInt8>) throws -> Int? {
        var index = bytes.startIndex
        guard index != bytes.endIndex else { return nil }
        guard bytes[index] == 0x30 else { throw LDAPError.protocolError("expected a SEQUENCE") }
        index = bytes.index(after: index)
        guard index != bytes.endIndex else { return nil }
        let first = bytes[index]
        index = bytes.index(after: index)
        if first < 0x80 { return 2 + Int(first) }
        let count = Int(first & 0x7F)
        guard count >= 1, count <= 4 else { throw LDAPError.protocolError("unsupported BER length") }
        var length = 0
        for _ in 0 ..< count {
            guard index != bytes.endIndex else { return nil }
            length = (length << 8) | Int(bytes[index])
            index = bytes.index(after: index)
        }
        guard length <= 16 * 1024 * 1024 else { throw LDAPError.protocolError("LDAP message larger than 16 MiB") }
        return 2 + count + length
    }

    // MARK: Writing

    private static func envelope(_ id: Int, _ op: (inout DER.Serializer) -> Void) -> [UInt8] {
        var serializer = DER.Serializer()
        serializer.appendConstructedNode(identifier: .sequence) { s in
            integer(id, &s)
            op(&s)
        }
        return serializer.serializedBytes
    }

    private static func integerBytes(_ value: Int) -> [UInt8] {
        var bytes = withUnsafeBytes(of: Int64(value).bigEndian, Array.init)
        while bytes.count > 1, (bytes[0] == 0x00 && bytes[1] & 0x80 == 0) || (bytes[0] == 0xFF && bytes[1] & 0x80 != 0) { bytes.removeFirst() }
        return bytes
    }

    private static func integer(_ value: Int, _ s: inout DER.Serializer) {
        s.appendPrimitiveNode(identifier: .integer) { $0.append(contentsOf: integerBytes(value)) }
    }

    private static func enumerated(_ value: Int, _ s: inout DER.Serializer) {
        s.appendPrimitiveNode(identifier: .enumerated) { $0.append(contentsOf: integerBytes(value)) }
    }

    private static func octets(_ bytes: [UInt8], _ s: inout DER.Serializer, identifier: ASN1Identifier = .octetString) {
        s.appendPrimitiveNode(identifier: identifier) { $0.append(contentsOf: bytes) }
    }

    private static func assertion(_ tag: UInt, _ attribute: String, _ value: [UInt8], _ s: inout DER.Serializer) {
        s.appendConstructedNode(identifier: context(tag)) { s in
            octets(Array(attribute.utf8), &s)
            octets(value, &s)
        }
    }

    private static func encode(_ filter: LDAPFilter, _ s: inout DER.Serializer) {
        switch filter {
        case .and(let parts): s.appendConstructedNode(identifier: context(0)) { s in for part in parts { encode(part, &s) } }
        case .or(let parts): s.appendConstructedNode(identifier: context(1)) { s in for part in parts { encode(part, &s) } }
        case .not(let inner): s.appendConstructedNode(identifier: context(2)) { s in encode(inner, &s) }
        case .equal(let attribute, let value): assertion(3, attribute, value, &s)
        case .substrings(let attribute, let initial, let any, let final):
            s.appendConstructedNode(identifier: context(4)) { s in
                octets(Array(attribute.utf8), &s)
                s.appendConstructedNode(identifier: .sequence) { s in
                    if let initial { octets(initial, &s, identifier: context(0)) }
                    for piece in any { octets(piece, &s, identifier: context(1)) }
                    if let final { octets(final, &s, identifier: context(2)) }
                }
            }
        case .greaterOrEqual(let attribute, let value): assertion(5, attribute, value, &s)
        case .lessOrEqual(let attribute, let value): assertion(6, attribute, value, &s)
        case .present(let attribute): octets(Array(attribute.utf8), &s, identifier: context(7))
        case .approximate(let attribute, let value): assertion(8, attribute, value, &s)
        }
    }

    // MARK: Reading

    private static func primitive(_ node: ASN1Node) throws -> ArraySlice<UInt8> {
        guard case .primitive(let bytes) = node.content else { throw LDAPError.protocolError("expected a primitive value") }
        return bytes
    }

    private static func integerValue(_ node: ASN1Node) throws -> Int {
        let bytes = try primitive(node)
        guard !bytes.isEmpty, bytes.count <= 8 else { throw LDAPError.protocolError("bad INTEGER") }
        var value = Int(Int8(bitPattern: bytes.first!))
        for byte in bytes.dropFirst() { value = (value << 8) | Int(byte) }
        return value
    }

    private static func string(_ node: ASN1Node) throws -> String {
        String(decoding: try primitive(node), as: UTF8.self)
    }

    private static func children(_ node: ASN1Node) throws -> [ASN1Node] {
        guard case .constructed(let collection) = node.content else { throw LDAPError.protocolError("expected a constructed value") }
        return Array(collection)
    }

    private static func result(_ node: ASN1Node) throws -> Result {
        let parts = try children(node)
        guard parts.count >= 3 else { throw LDAPError.protocolError("short LDAPResult") }
        return Result(code: try integerValue(parts[0]), matchedDN: try string(parts[1]), message: try string(parts[2]))
    }

    private static func entry(_ node: ASN1Node) throws -> Entry {
        let parts = try children(node)
        guard parts.count == 2 else { throw LDAPError.protocolError("bad SearchResultEntry") }
        var attributes: [String: [String]] = [:]
        for attribute in try children(parts[1]) {
            let pair = try children(attribute)
            guard pair.count == 2 else { continue }
            attributes[try string(pair[0]), default: []].append(contentsOf: try children(pair[1]).map(string))
        }
        return Entry(dn: try string(parts[0]), attributes: attributes)
    }
}

/// An LDAP failure. Messages name the operation and the server's diagnostic, never a password.
public enum LDAPError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The server or URL cannot be reached.
    case connection(String)
    /// The server answered something that is not LDAP as expected.
    case protocolError(String)
    /// An operation failed with an LDAP result code.
    case operation(String, code: Int, message: String)
    /// No answer in time.
    case timeout
    /// The configuration is unusable.
    case configuration(String)

    /// A readable description.
    public var description: String {
        switch self {
        case .connection(let what): return "cannot reach the LDAP server: \(what)"
        case .protocolError(let what): return "LDAP protocol error: \(what)"
        case .operation(let op, let code, let message): return "LDAP \(op) failed with result \(code)\(message.isEmpty ? "" : ": \(message)")"
        case .timeout: return "the LDAP server did not answer in time"
        case .configuration(let what): return "LDAP configuration: \(what)"
        }
    }
}
