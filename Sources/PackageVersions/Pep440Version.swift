/// Python's version order (PEP 440): the epoch, the release numbers (trailing zeros ignored), then developmental
/// releases before pre-releases (`a` < `b` < `rc`) before the final release before post-releases, and local versions
/// (`+ubuntu1`) above the same public version. The spellings PEP 440 normalises (`alpha`, `c`, `pre`, `-1` for a
/// post-release, `rev`, a leading `v`, `_` and `-` separators) are accepted. Text that is no PEP 440 version sorts
/// before every valid one, by its characters.
enum Pep440Version {
    /// A bound that sorts below or above every number.
    enum Slot {
        case below
        case value(rank: Int, number: [UInt8])
        case above

        static func order(_ lhs: Slot, _ rhs: Slot) -> Int {
            switch (lhs, rhs) {
            case (.below, .below), (.above, .above): return 0
            case (.below, _), (_, .above): return -1
            case (_, .below), (.above, _): return 1
            case (.value(let r1, let n1), .value(let r2, let n2)):
                if r1 != r2 { return r1 < r2 ? -1 : 1 }
                return DigitRun.compare(n1, n2)
            }
        }
    }

    /// A parsed version.
    struct Parsed {
        var epoch: [UInt8] = []
        var release: [[UInt8]] = []
        var pre: (rank: Int, number: [UInt8])?
        var post: [UInt8]?
        var dev: [UInt8]?
        var local: [[UInt8]]?
    }

    static func compare(_ a: String, _ b: String) -> Int {
        switch (parse(a), parse(b)) {
        case (nil, nil): return DigitRun.lexical(Array(a.utf8), Array(b.utf8))
        case (nil, _): return -1
        case (_, nil): return 1
        case (let x?, let y?): return compare(x, y)
        }
    }

    static func compare(_ x: Parsed, _ y: Parsed) -> Int {
        let epoch = DigitRun.compare(x.epoch, y.epoch)
        if epoch != 0 { return epoch }
        let release = releaseOrder(x.release, y.release)
        if release != 0 { return release }
        for (p, q) in [(preSlot(x), preSlot(y)), (x.post.map { Slot.value(rank: 0, number: $0) } ?? .below, y.post.map { Slot.value(rank: 0, number: $0) } ?? .below),
                       (x.dev.map { Slot.value(rank: 0, number: $0) } ?? .above, y.dev.map { Slot.value(rank: 0, number: $0) } ?? .above)] {
            let order = Slot.order(p, q)
            if order != 0 { return order }
        }
        return localOrder(x.local, y.local)
    }

    static func preSlot(_ version: Parsed) -> Slot {
        if let pre = version.pre { return .value(rank: pre.rank, number: pre.number) }
        // A developmental release of a final version comes before its pre-releases.
        return version.post == nil && version.dev != nil ? .below : .above
    }

    static func releaseOrder(_ a: [[UInt8]], _ b: [[UInt8]]) -> Int {
        for index in 0 ..< max(a.count, b.count) {
            let order = DigitRun.compare(index < a.count ? a[index] : [], index < b.count ? b[index] : [])
            if order != 0 { return order }
        }
        return 0
    }

    static func localOrder(_ a: [[UInt8]]?, _ b: [[UInt8]]?) -> Int {
        guard let a else { return b == nil ? 0 : -1 }
        guard let b else { return 1 }
        for index in 0 ..< max(a.count, b.count) {
            guard index < a.count else { return -1 }
            guard index < b.count else { return 1 }
            let p = a[index], q = b[index]
            let pNumeric = p.allSatisfy(DigitRun.isDigit), qNumeric = q.allSatisfy(DigitRun.isDigit)
            let order = pNumeric && qNumeric ? DigitRun.compare(p, q) : pNumeric != qNumeric ? (pNumeric ? 1 : -1) : DigitRun.lexical(p, q)
            if order != 0 { return order }
        }
        return 0
    }

    /// The version's parts, or nil when it is no PEP 440 version.
    static func parse(_ text: String) -> Parsed? {
        let bytes = Array(text.lowercased().utf8).filter { $0 != UInt8(ascii: " ") }
        var i = 0
        var parsed = Parsed()
        func at(_ word: String) -> Bool {
            let w = Array(word.utf8)
            return i + w.count <= bytes.count && Array(bytes[i ..< i + w.count]) == w
        }
        func digits() -> [UInt8] {
            let start = i
            while i < bytes.count && DigitRun.isDigit(bytes[i]) { i += 1 }
            return Array(bytes[start ..< i])
        }
        func separator() { if i < bytes.count && [UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "_")].contains(bytes[i]) { i += 1 } }
        if at("v") { i += 1 }
        let first = digits()
        guard !first.isEmpty else { return nil }
        if i < bytes.count && bytes[i] == UInt8(ascii: "!") {
            parsed.epoch = first
            i += 1
            let release = digits()
            guard !release.isEmpty else { return nil }
            parsed.release = [release]
        } else {
            parsed.release = [first]
        }
        while i + 1 < bytes.count && bytes[i] == UInt8(ascii: ".") && DigitRun.isDigit(bytes[i + 1]) {
            i += 1
            parsed.release.append(digits())
        }
        // Pre-release.
        let beforePre = i
        separator()
        let preWords: [(String, Int)] = [("preview", 2), ("alpha", 0), ("beta", 1), ("pre", 2), ("rc", 2), ("a", 0), ("b", 1), ("c", 2)]
        if let (word, rank) = preWords.first(where: { at($0.0) }) {
            i += word.utf8.count
            separator()
            parsed.pre = (rank, digits())
        } else {
            i = beforePre
        }
        // Post-release: `-N`, or `post`/`rev`/`r` with an optional number.
        let beforePost = i
        if i + 1 < bytes.count && bytes[i] == UInt8(ascii: "-") && DigitRun.isDigit(bytes[i + 1]) {
            i += 1
            parsed.post = digits()
        } else {
            separator()
            if let word = ["post", "rev", "r"].first(where: { at($0) }) {
                i += word.utf8.count
                separator()
                parsed.post = digits()
            } else {
                i = beforePost
            }
        }
        // Developmental release.
        let beforeDev = i
        separator()
        if at("dev") {
            i += 3
            separator()
            parsed.dev = digits()
        } else {
            i = beforeDev
        }
        if i < bytes.count && bytes[i] == UInt8(ascii: "+") {
            let segments = bytes[(i + 1)...].split(whereSeparator: { [UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "_")].contains($0) })
            guard !segments.isEmpty, segments.allSatisfy({ $0.allSatisfy { DigitRun.isDigit($0) || DigitRun.isLetter($0) } }) else { return nil }
            parsed.local = segments.map(Array.init)
            i = bytes.count
        }
        return i == bytes.count ? parsed : nil
    }
}
