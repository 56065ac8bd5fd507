/// Semantic versioning 2.0 order, as Go modules and npm use it: an optional `v`, major.minor.patch by value (missing
/// parts are 0), a release above its pre-releases, pre-release identifiers compared one by one (numeric ones by value
/// and below alphanumeric ones; fewer identifiers first when the rest agree); build metadata (`+…`, Go's
/// `+incompatible`) is ignored.
enum SemanticVersion {
    static func compare(_ a: String, _ b: String) -> Int {
        let left = parse(a), right = parse(b)
        for index in 0 ..< 3 {
            let order = DigitRun.compare(index < left.core.count ? left.core[index] : [], index < right.core.count ? right.core[index] : [])
            if order != 0 { return order }
        }
        switch (left.prerelease, right.prerelease) {
        case (nil, nil): return 0
        case (nil, _): return 1
        case (_, nil): return -1
        case (let x?, let y?):
            for index in 0 ..< max(x.count, y.count) {
                guard index < x.count else { return -1 }
                guard index < y.count else { return 1 }
                let p = x[index], q = y[index]
                let pNumeric = !p.isEmpty && p.allSatisfy(DigitRun.isDigit), qNumeric = !q.isEmpty && q.allSatisfy(DigitRun.isDigit)
                let order: Int
                switch (pNumeric, qNumeric) {
                case (true, true): order = DigitRun.compare(p, q)
                case (true, false): order = -1
                case (false, true): order = 1
                case (false, false): order = DigitRun.lexical(p, q)
                }
                if order != 0 { return order }
            }
            return 0
        }
    }

    static func parse(_ version: String) -> (core: [ArraySlice<UInt8>], prerelease: [ArraySlice<UInt8>]?) {
        var bytes = Array(version.utf8)[...]
        if bytes.first == UInt8(ascii: "v") || bytes.first == UInt8(ascii: "V") { bytes = bytes.dropFirst() }
        if let plus = bytes.firstIndex(of: UInt8(ascii: "+")) { bytes = bytes[..<plus] }
        var prerelease: [ArraySlice<UInt8>]? = nil
        if let hyphen = bytes.firstIndex(of: UInt8(ascii: "-")) {
            prerelease = bytes[(hyphen + 1)...].split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
            bytes = bytes[..<hyphen]
        }
        let core = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).map { part in
            part.prefix { DigitRun.isDigit($0) }
        }
        return (core, prerelease)
    }
}
