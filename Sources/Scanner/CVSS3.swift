import Foundation

/// CVSS v3.0/v3.1 base scores from vector strings (`CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H` → 9.8), by the
/// specification's formulas, for sources that give a vector but no severity.
public enum CVSS3 {
    /// The base score, or nil when the vector is not a complete CVSS v3 vector.
    public static func baseScore(_ vector: String) -> Double? {
        let parts = vector.split(separator: "/")
        guard let prefix = parts.first, prefix == "CVSS:3.0" || prefix == "CVSS:3.1" else { return nil }
        var metrics: [String: String] = [:]
        for part in parts.dropFirst() {
            let pair = part.split(separator: ":", maxSplits: 1)
            guard pair.count == 2 else { return nil }
            metrics[String(pair[0])] = String(pair[1])
        }
        let changed: Bool
        switch metrics["S"] {
        case "U": changed = false
        case "C": changed = true
        default: return nil
        }
        guard let attackVector = ["N": 0.85, "A": 0.62, "L": 0.55, "P": 0.2][metrics["AV"] ?? ""],
              let complexity = ["L": 0.77, "H": 0.44][metrics["AC"] ?? ""],
              let privileges = (changed ? ["N": 0.85, "L": 0.68, "H": 0.5] : ["N": 0.85, "L": 0.62, "H": 0.27])[metrics["PR"] ?? ""],
              let interaction = ["N": 0.85, "R": 0.62][metrics["UI"] ?? ""] else { return nil }
        let impactValues = ["H": 0.56, "L": 0.22, "N": 0.0]
        guard let confidentiality = impactValues[metrics["C"] ?? ""], let integrity = impactValues[metrics["I"] ?? ""],
              let availability = impactValues[metrics["A"] ?? ""] else { return nil }
        let subScore = 1 - (1 - confidentiality) * (1 - integrity) * (1 - availability)
        let impact = changed ? 7.52 * (subScore - 0.029) - 3.25 * pow(subScore - 0.02, 15) : 6.42 * subScore
        let exploitability = 8.22 * attackVector * complexity * privileges * interaction
        guard impact > 0 else { return 0 }
        return roundUp(min((changed ? 1.08 : 1) * (impact + exploitability), 10))
    }

    /// CVSS v3.1's round-up to one decimal, free of floating-point surprises.
    static func roundUp(_ value: Double) -> Double {
        let scaled = Int((value * 100_000).rounded())
        return scaled % 10_000 == 0 ? Double(scaled) / 100_000 : Double(scaled / 10_000 + 1) / 10
    }
}
