/// A member's role in a project, with Harbor's ids and names.
public enum ProjectRole: Int, Sendable, CaseIterable, Codable {
    /// Manages the project: members, robots, settings, deletion.
    case projectAdmin = 1
    /// Reads and pushes.
    case developer = 2
    /// Reads and pulls.
    case guest = 3
    /// Developer plus deleting images and managing tags and rules.
    case maintainer = 4
    /// Pulls and lists, without seeing members or logs.
    case limitedGuest = 5

    /// Harbor's `role_name`.
    public var name: String {
        switch self {
        case .projectAdmin: return "projectAdmin"
        case .developer: return "developer"
        case .guest: return "guest"
        case .maintainer: return "maintainer"
        case .limitedGuest: return "limitedGuest"
        }
    }
}
