/// What the repository and artifact pages are filled with.

/// One row of a project's repositories.
struct RepositoryRow: Sendable {
    let name: String
    let href: String
    let artifacts: Int64
    let pulls: Int64
    let updated: String
    let updatedShown: String
}

/// A project's repositories.
struct RepositoriesPage: Sendable {
    let frame: Frame
    let project: String
    let access: String
    let tabs: [ProjectTab]
    let filter: String
    let rows: [RepositoryRow]
    let hasRows: Bool
    let isFiltered: Bool
    let registry: String
    let pager: Pager?
}

/// One row of a repository's artifacts.
struct ArtifactRow: Sendable {
    let href: String
    let digest: String
    let shortDigest: String
    let tags: String
    let type: String
    let size: String
    let pushed: String
    let pushedShown: String
    let pulledShown: String
    /// Its scan state (nil for artifacts that are not images, or for visitors who may not read scans).
    let scan: ArtifactScanCell?
}

/// A repository: its description (with the edit form for those who may change it), how to pull it, its artifacts.
struct RepositoryPage: Sendable {
    let frame: Frame
    let project: String
    let name: String
    let shortName: String
    let base: String
    let description: String
    let hasDescription: Bool
    let canEdit: Bool
    let canDelete: Bool
    let problem: String?
    let editing: Bool
    let pullCommand: String
    let dockerPullCommand: String
    let artifactCount: Int64
    let pullCount: Int64
    let tagFilter: String
    let isFiltered: Bool
    let rows: [ArtifactRow]
    let hasRows: Bool
    let pager: Pager?
}

/// A labelled value in a list of facts.
struct Fact: Sendable {
    let label: String
    let value: String
}

/// A tag of an artifact, with its pull command and (for those who may) a delete button.
struct TagRow: Sendable {
    let name: String
    let pushedShown: String
    let pulledShown: String
    let pullCommand: String
    /// A tag immutability rule protects it.
    let immutable: Bool
    let canDelete: Bool
    let deleteAction: String
}

/// A child of an index (an image for one platform).
struct ChildRow: Sendable {
    let href: String
    let shortDigest: String
    let platform: String
}

/// A layer of an image (or a file of an artifact).
struct LayerRow: Sendable {
    let number: Int
    let digest: String
    let shortDigest: String
    let mediaType: String
    let size: String
}

/// An artifact that refers to this one (a signature, an SBOM, an attestation).
struct ReferrerRow: Sendable {
    let href: String
    let digest: String
    let shortDigest: String
    let kind: String
    let artifactType: String
    let size: String
    let created: String
}

/// A step of an image's build history.
struct HistoryStep: Sendable {
    let created: String
    let command: String
    let empty: Bool
}

/// One artifact.
struct ArtifactPage: Sendable {
    let frame: Frame
    let project: String
    let repository: String
    let repositoryHref: String
    let digest: String
    let shortDigest: String
    let type: String
    let pullByDigest: String
    let dockerPullByDigest: String?
    let facts: [Fact]
    let tags: [TagRow]
    let hasTags: Bool
    let canAddTag: Bool
    let canDelete: Bool
    let deleteAction: String
    let addTagAction: String
    let draftTag: String
    let problem: String?
    let children: [ChildRow]
    let hasChildren: Bool
    let config: [Fact]
    let hasConfig: Bool
    let layers: [LayerRow]
    let hasLayers: Bool
    let referrers: [ReferrerRow]
    let hasReferrers: Bool
    let annotations: [Fact]
    let hasAnnotations: Bool
    let history: [HistoryStep]
    let hasHistory: Bool
    /// The vulnerability section (images, for those who may read scans).
    let scan: ScanSection?
    /// Labels on the artifact.
    let labels: [LabelChip]
    let hasLabels: Bool
    /// Labels that can still be added.
    let labelChoices: [SelectOption]
    let canAddLabel: Bool
    let addLabelAction: String
}

/// A label on an artifact, with its remove form for those who may.
struct LabelChip: Sendable {
    let id: Int64
    let name: String
    let color: String
    let canRemove: Bool
    let removeAction: String
}

/// A project's summary tab: what it holds, who is in it, and a chart of its artifacts pushed per day.
struct SummaryPage: Sendable {
    let frame: Frame
    let project: String
    let access: String
    let tabs: [ProjectTab]
    let facts: [SettingRow]
    /// The project's storage quota as a bar.
    let quota: QuotaBar?
    let members: [SettingRow]
    let chart: BarChart
    let days: Int
    let pushedInPeriod: Int
}

/// A project's usage against its storage limit: a bar (when there is a limit) and the figures in words.
struct QuotaBar: Sendable {
    let used: Int64
    let limit: Int64
    let limited: Bool
    let text: String

    init(used: Int64, limit: Int64) {
        self.used = used
        self.limit = max(limit, 1)
        limited = limit >= 0
        if limit < 0 {
            text = "\(PortalFormat.shownSize(used)) used, no limit"
        } else {
            let percent = limit == 0 ? 100 : Int(Double(used) / Double(limit) * 100)
            text = "\(PortalFormat.shownSize(used)) of \(PortalFormat.shownSize(limit)) (\(percent)%)"
        }
    }
}
