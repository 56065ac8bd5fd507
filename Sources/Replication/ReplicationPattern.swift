/// A name or tag pattern of a replication filter, with Harbor's (doublestar) meaning: `*` is any run of characters
/// but `/`, `**` as a whole path component any run of components (none included), `?` one character but `/`,
/// `{a,b}` alternatives, `[abc]`, `[a-z]` and `[!x]` character classes; everything else stands for itself.
/// Matching is linear in pattern × text (no backtracking blow-up), and patterns are bounded.
public struct ReplicationPattern: Sendable, Equatable, CustomStringConvertible {
    enum Token: Equatable, Sendable {
        case literal(UInt8)
        case one
        case star
        case globstar
        case set([ClosedRange<UInt8>], negated: Bool)
    }

    /// The pattern as written.
    public let description: String
    /// Each brace alternative expanded into its own token list.
    let alternatives: [[Token]]

    /// The longest pattern accepted, and the most alternatives its braces may expand to.
    public static let maximumLength = 1024, maximumAlternatives = 256

    /// Parses `text`; nil when it is too long, its braces or brackets do not close, or it expands too far.
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count <= Self.maximumLength, let expanded = Self.expand(bytes[...]), expanded.count <= Self.maximumAlternatives else { return nil }
        var alternatives: [[Token]] = []
        for alternative in expanded {
            guard let tokens = Self.tokens(alternative) else { return nil }
            alternatives.append(tokens)
        }
        description = text
        self.alternatives = alternatives
    }

    /// A selector pattern as Harbor's portal writes it: a comma-separated list outside braces (`rc, test,nightly`)
    /// means any of its entries (each trimmed of spaces), as `{rc,test,nightly}` does; nil when it does not parse.
    public init?(harborList text: String) {
        var depth = 0
        var topLevelComma = false
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "{"): depth += 1
            case UInt8(ascii: "}"): depth -= 1
            case UInt8(ascii: ","): if depth == 0 { topLevelComma = true }
            default: break
            }
        }
        guard topLevelComma else {
            self.init(text)
            return
        }
        let entries = text.split(separator: ",", omittingEmptySubsequences: false).map { entry in
            String(entry.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
        }
        self.init("{" + entries.joined(separator: ",") + "}")
    }

    /// Whether `text` matches the whole pattern.
    public func matches(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return alternatives.contains { Self.match($0, bytes) }
    }

    /// Brace expansion (nested braces allowed); nil when unbalanced or past the bound.
    static func expand(_ bytes: ArraySlice<UInt8>) -> [[UInt8]]? {
        guard let open = bytes.firstIndex(of: UInt8(ascii: "{")) else { return [Array(bytes)] }
        var depth = 0
        var close: Int?
        var commas: [Int] = []
        for index in open ..< bytes.endIndex {
            switch bytes[index] {
            case UInt8(ascii: "{"): depth += 1
            case UInt8(ascii: "}"):
                depth -= 1
                if depth == 0 { close = index }
            case UInt8(ascii: ",") where depth == 1: commas.append(index)
            default: break
            }
            if close != nil { break }
        }
        guard let close else { return nil }
        let prefix = Array(bytes[bytes.startIndex ..< open])
        guard let rest = expand(bytes[(close + 1)...]) else { return nil }
        var results: [[UInt8]] = []
        var start = open + 1
        for end in commas + [close] {
            guard let inner = expand(bytes[start ..< end]) else { return nil }
            for middle in inner {
                for tail in rest {
                    results.append(prefix + middle + tail)
                    if results.count > maximumAlternatives { return nil }
                }
            }
            start = end + 1
        }
        return results
    }

    /// The tokens of one alternative; nil when a bracket does not close.
    static func tokens(_ bytes: [UInt8]) -> [Token]? {
        var tokens: [Token] = []
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "*"):
                if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "*") {
                    // `**` is a globstar only as a whole component; elsewhere it means what `*` means.
                    let startsComponent = index == 0 || bytes[index - 1] == UInt8(ascii: "/")
                    let endsComponent = index + 2 == bytes.count || bytes[index + 2] == UInt8(ascii: "/")
                    tokens.append(startsComponent && endsComponent ? .globstar : .star)
                    index += 2
                } else {
                    tokens.append(.star)
                    index += 1
                }
            case UInt8(ascii: "?"):
                tokens.append(.one)
                index += 1
            case UInt8(ascii: "["):
                var cursor = index + 1
                var negated = false
                if cursor < bytes.count, bytes[cursor] == UInt8(ascii: "!") || bytes[cursor] == UInt8(ascii: "^") {
                    negated = true
                    cursor += 1
                }
                var ranges: [ClosedRange<UInt8>] = []
                var first = true
                while cursor < bytes.count, bytes[cursor] != UInt8(ascii: "]") || first {
                    first = false
                    let low = bytes[cursor]
                    if cursor + 2 < bytes.count, bytes[cursor + 1] == UInt8(ascii: "-"), bytes[cursor + 2] != UInt8(ascii: "]") {
                        let high = bytes[cursor + 2]
                        guard low <= high else { return nil }
                        ranges.append(low ... high)
                        cursor += 3
                    } else {
                        ranges.append(low ... low)
                        cursor += 1
                    }
                }
                guard cursor < bytes.count else { return nil }
                tokens.append(.set(ranges, negated: negated))
                index = cursor + 1
            case UInt8(ascii: "\\") where index + 1 < bytes.count:
                tokens.append(.literal(bytes[index + 1]))
                index += 2
            default:
                tokens.append(.literal(byte))
                index += 1
            }
        }
        return tokens
    }

    /// Folds the slashes around each globstar into it: `**/` at the start, `/**/` inside and `/**` at the end may
    /// match no component at all (`a/**/b` matches `a/b`, `a/**` matches `a`).
    static func folded(_ tokens: [Token]) -> [Step] {
        let slash = Token.literal(UInt8(ascii: "/"))
        var steps: [Step] = []
        var index = 0
        while index < tokens.count {
            let token = tokens[index]
            if token == slash, index + 1 < tokens.count, tokens[index + 1] == .globstar {
                if index + 2 < tokens.count, tokens[index + 2] == slash {
                    steps.append(.token(slash))
                    steps.append(.anyThenSlash)
                    index += 3
                } else {
                    steps.append(.slashThenAny)
                    index += 2
                }
                continue
            }
            if token == .globstar {
                if index + 1 < tokens.count, tokens[index + 1] == slash {
                    steps.append(.anyThenSlash)
                    index += 2
                } else {
                    steps.append(.any)
                    index += 1
                }
                continue
            }
            steps.append(.token(token))
            index += 1
        }
        return steps
    }

    /// One matching step.
    enum Step: Equatable {
        case token(Token)
        /// Any run of characters, `/` included.
        case any
        /// Nothing, or any run ending in `/`.
        case anyThenSlash
        /// Nothing, or `/` followed by anything.
        case slashThenAny
    }

    /// Dynamic programming over (step, byte): `reach[j]` says whether the steps so far can consume `text[..<j]`.
    static func match(_ tokens: [Token], _ text: [UInt8]) -> Bool {
        let slash = UInt8(ascii: "/")
        var reach = [Bool](repeating: false, count: text.count + 1)
        reach[0] = true
        for step in folded(tokens) {
            var next = [Bool](repeating: false, count: text.count + 1)
            switch step {
            case .token(.literal(let byte)):
                for j in 0 ..< text.count where reach[j] && text[j] == byte { next[j + 1] = true }
            case .token(.one):
                for j in 0 ..< text.count where reach[j] && text[j] != slash { next[j + 1] = true }
            case .token(.set(let ranges, let negated)):
                for j in 0 ..< text.count where reach[j] && text[j] != slash && ranges.contains(where: { $0.contains(text[j]) }) != negated {
                    next[j + 1] = true
                }
            case .token(.star):
                var open = false
                for j in 0 ... text.count {
                    if reach[j] { open = true }
                    if open { next[j] = true }
                    if j < text.count, text[j] == slash { open = false }
                }
            case .token(.globstar), .any:
                var open = false
                for j in 0 ... text.count {
                    if reach[j] { open = true }
                    if open { next[j] = true }
                }
            case .anyThenSlash:
                var open = false
                for j in 0 ... text.count {
                    if reach[j] { next[j] = true }
                    if open, j > 0, text[j - 1] == slash { next[j] = true }
                    if reach[j] { open = true }
                }
            case .slashThenAny:
                var open = false
                for j in 0 ... text.count {
                    if reach[j] { next[j] = true }
                    if open { next[j] = true }
                    if j < text.count, reach[j], text[j] == slash { open = true }
                }
            }
            reach = next
        }
        return reach[text.count]
    }
}
