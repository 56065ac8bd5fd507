import Foundation

/// One `-----BEGIN <label>-----` block of a PEM file.
public struct PEMBlock: Sendable, Equatable {
    /// The label, `CERTIFICATE` or `PRIVATE KEY` say.
    public let label: String
    /// The whole block as text, BEGIN and END lines included.
    public let text: String
    /// Headers inside the block (`Proc-Type: 4,ENCRYPTED` marks an encrypted legacy key).
    public let headers: [String]

    /// Every block in `text`, in order; text outside blocks is ignored.
    public static func blocks(in text: String) -> [PEMBlock] {
        var result: [PEMBlock] = []
        var label: String?
        var lines: [String] = []
        var headers: [String] = []
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let line = raw.trimmingCharacters(in: .whitespaces.union(.init(charactersIn: "\r")))
            if let current = label {
                lines.append(line)
                if line == "-----END \(current)-----" {
                    result.append(PEMBlock(label: current, text: lines.joined(separator: "\n") + "\n", headers: headers))
                    label = nil
                } else if line.contains(":") {
                    headers.append(line)
                }
            } else if line.hasPrefix("-----BEGIN "), line.hasSuffix("-----"), line.count > 16 {
                label = String(line.dropFirst(11).dropLast(5))
                lines = [line]
                headers = []
            }
        }
        return result
    }
}
