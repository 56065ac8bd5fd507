/// The name a file gets while a conditional deletion has it moved aside (`<name>.gc-<random>`): made by the
/// filesystem driver, recognised by the garbage collector that puts back a file a dead sweep left aside.
public enum SetAsideName {
    /// The marker between the original name and the random part.
    static let marker = ".gc-"

    /// A fresh set-aside name for `name` (random, so two sweeps never pick the same one).
    public static func make(for name: String) -> String {
        "\(name)\(marker)\(UInt64.random(in: 0 ... .max))"
    }

    /// The original name of a set-aside file, or nil when `name` is not one.
    public static func original(of name: String) -> String? {
        guard let mark = name.range(of: marker), mark.lowerBound > name.startIndex,
              !name[mark.upperBound...].isEmpty, name[mark.upperBound...].allSatisfy(\.isNumber) else { return nil }
        return String(name[..<mark.lowerBound])
    }
}
