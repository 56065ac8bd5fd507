/// Why a certificate, key or name cannot be used; the description names the file when there is one.
public struct CertificateProblem: Error, CustomStringConvertible, Sendable {
    /// What is wrong.
    public let description: String
    /// Creates the problem.
    public init(_ description: String) { self.description = description }
}
