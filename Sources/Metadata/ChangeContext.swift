/// Who made a change to repositories, artifacts or tags, and from where. The store records it in the change's domain
/// events: the audit log shows the operator and address, webhook payloads the operator.
public struct ChangeContext: Sendable, Equatable {
    /// The user or robot name (`anonymous` for anonymous pulls, `system` for Berth's own work).
    public var operatorName: String
    /// The client's address (empty for Berth's own work).
    public var clientIP: String
    /// For a copy (`POST …/artifacts?from=`): what was copied, as the caller named it.
    public var copiedFrom: String?

    /// Creates a context.
    public init(operatorName: String, clientIP: String, copiedFrom: String? = nil) {
        self.operatorName = operatorName
        self.clientIP = clientIP
        self.copiedFrom = copiedFrom
    }

    /// Berth itself (replication, retention, garbage collection, tests of the stores).
    public static let system = ChangeContext(operatorName: "system", clientIP: "")
}
