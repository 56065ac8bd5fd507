import APIInput
import Auth
import Foundation
import HTTPAPI
import Hummingbird
import Management

/// One artifact's page (facts, tags with pull commands, an index's children, an image's build history) and the
/// tag forms on it.
extension PortalController {
    @Sendable func artifactPage(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        return try await artifactPage(request, context, visitor, problem: nil, draftTag: "")
    }

    @Sendable func addTag(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        guard let form = try await changeForm(request, visitor) else { return forbiddenForm(visitor, request) }
        let (project, repository, digest) = artifactParameters(context)
        let tag = (form["tag"] ?? "").trimmingCharacters(in: .whitespaces)
        do {
            try await repositories.addTag(project: project, repository: repository, reference: digest, TagRequest(name: tag), caller(visitor, request, context))
            return Self.redirect(artifactPath(project, repository, digest))
        } catch let error as APIError {
            return try await artifactPage(request, context, visitor, problem: error.message, draftTag: tag,
                                          status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    @Sendable func deleteTag(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        guard try await changeForm(request, visitor) != nil else { return forbiddenForm(visitor, request) }
        let (project, repository, digest) = artifactParameters(context)
        do {
            try await repositories.deleteTag(project: project, repository: repository, reference: digest, tag: Self.parameter(context, "tag"),
                                             caller(visitor, request, context))
            return Self.redirect(artifactPath(project, repository, digest))
        } catch let error as APIError {
            return try await artifactPage(request, context, visitor, problem: error.message, draftTag: "",
                                          status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    @Sendable func addArtifactLabel(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let (project, repository, digest) = artifactParameters(context)
        return try await formChange(request, context) { form, caller in
            guard let id = form["label_id"].flatMap({ Int64($0) }) else { throw APIError.badRequest("Choose a label.") }
            try await labels.attach(project: project, repository: repository, reference: digest, ArtifactLabelRequest(id: id), caller)
            return artifactPath(project, repository, digest)
        } refused: { visitor, _, error in
            try await artifactPage(request, context, visitor, problem: error.message, draftTag: "", status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    @Sendable func removeArtifactLabel(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let (project, repository, digest) = artifactParameters(context)
        return try await formChange(request, context) { _, caller in
            try await labels.detach(project: project, repository: repository, reference: digest,
                                    labelID: try Self.identifier(context, "label", what: "label"), caller)
            return artifactPath(project, repository, digest)
        } refused: { visitor, _, error in
            try await artifactPage(request, context, visitor, problem: error.message, draftTag: "", status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    @Sendable func deleteArtifact(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        guard try await changeForm(request, visitor) != nil else { return forbiddenForm(visitor, request) }
        let (project, repository, digest) = artifactParameters(context)
        do {
            try await repositories.deleteArtifact(project: project, repository: repository, reference: digest, caller(visitor, request, context))
            return Self.redirect("/harbor/projects/\(project)/repositories/\(PortalFormat.pathSegment(repository))")
        } catch let error as APIError {
            return try await artifactPage(request, context, visitor, problem: error.message, draftTag: "",
                                          status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    @Sendable func scanArtifact(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        guard let form = try await changeForm(request, visitor) else { return forbiddenForm(visitor, request) }
        let (project, repository, digest) = artifactParameters(context)
        do {
            try await scans.scan(project: project, repository: repository, reference: digest, scanType: form["scan_type"], caller(visitor, request, context))
            return Self.redirect(artifactPath(project, repository, digest) + "#vulnerabilities")
        } catch let error as APIError {
            return try await artifactPage(request, context, visitor, problem: error.message, draftTag: "",
                                          status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    func artifactParameters(_ context: BerthRequestContext) -> (project: String, repository: String, digest: String) {
        (Self.parameter(context, "project"), Self.parameter(context, "repository"), Self.parameter(context, "digest"))
    }

    func artifactPath(_ project: String, _ repository: String, _ digest: String) -> String {
        "/harbor/projects/\(project)/repositories/\(PortalFormat.pathSegment(repository))/artifacts-tab/artifacts/\(digest)"
    }

    func artifactPage(_ request: Request, _ context: BerthRequestContext, _ visitor: PortalVisitor, problem: String?, draftTag: String,
                      status: HTTPResponse.Status = .ok) async throws -> Response {
        let (projectName, name, reference) = artifactParameters(context)
        do {
            let caller = caller(visitor, request, context)
            let details = try await repositories.artifactDetails(project: projectName, repository: name, reference: reference, caller)
            let artifact = details.view
            let permissions = try await projects.permissions(in: projectName, caller)
            let image = "\(registryHost(request))/\(projectName)/\(name)"
            let canDelete = permissions.contains(Permission(.tag, .delete))
            // Images pull with podman or docker; other artifacts (charts, SBOMs, anything oras pushed) with oras.
            let isImage = artifact.type == "IMAGE"
            let client = isImage ? "podman pull" : "oras pull"
            let tags = artifact.tags.sorted { $0.name < $1.name }.map { tag in
                TagRow(name: tag.name, pushedShown: PortalFormat.shownTime(tag.pushTime), pulledShown: PortalFormat.shownTime(tag.pullTime),
                       pullCommand: "\(client) \(image):\(tag.name)", immutable: tag.immutable, canDelete: canDelete && !tag.immutable,
                       deleteAction: artifactPath(projectName, name, artifact.digest) + "/tags/\(tag.name)/delete")
            }
            let children = (artifact.references ?? []).map { child in
                ChildRow(href: artifactPath(projectName, name, child.childDigest), shortDigest: PortalFormat.shortDigest(child.childDigest),
                         platform: Self.platform(child.platform))
            }
            var facts = [Fact(label: "Digest", value: artifact.digest), Fact(label: "Type", value: artifact.type),
                         Fact(label: "Media type", value: artifact.mediaType), Fact(label: "Size", value: PortalFormat.shownSize(artifact.size)),
                         Fact(label: "Pushed", value: PortalFormat.shownTime(artifact.pushTime)),
                         Fact(label: "Last pulled", value: PortalFormat.shownTime(artifact.pullTime))]
            facts += Self.imageFacts(artifact.extraAttrs)
            let annotations = (artifact.annotations ?? [:]).sorted { $0.key < $1.key }.map { Fact(label: $0.key, value: $0.value) }
            let steps = details.buildHistory.map(Self.historySteps) ?? []
            let layers = details.layers.enumerated().map { index, layer in
                LayerRow(number: index + 1, digest: layer.digest, shortDigest: PortalFormat.shortDigest(layer.digest), mediaType: layer.mediaType,
                         size: PortalFormat.shownSize(layer.size))
            }
            let referrers = details.referrers.map { referrer in
                ReferrerRow(href: artifactPath(projectName, name, referrer.digest), digest: referrer.digest, shortDigest: PortalFormat.shortDigest(referrer.digest),
                            kind: PortalFormat.referrerKind(referrer.artifactType), artifactType: referrer.artifactType,
                            size: PortalFormat.shownSize(referrer.size),
                            created: PortalFormat.shownTime(referrer.annotations["org.opencontainers.image.created"] ?? ""))
            }
            let config = Self.runConfig(artifact.extraAttrs)
            var scan: ScanSection?
            if isImage, permissions.contains(Permission(.scan, .read)) {
                let state = try await scans.artifactScan(project: projectName, repository: name, reference: artifact.digest, caller)
                let query = Dictionary(request.uri.queryParameters.map { (String($0.key), String($0.value)) }) { first, _ in first }
                let api = "/api/v2.0/projects/\(projectName)/repositories/\(PortalFormat.pathSegment(PortalFormat.pathSegment(name)))/artifacts/\(artifact.digest)"
                scan = ScanSection(state, query: query, pagePath: artifactPath(projectName, name, artifact.digest),
                                   logHref: state.overview.map { api + "/scan/\($0.reportId)/log" },
                                   sbomHref: state.sbom?.sbomDigest.map { artifactPath(projectName, name, $0) },
                                   canScan: permissions.contains(Permission(.scan, .create)))
            }
            // Labels: shown to everyone who sees the artifact; developers and up add and remove them.
            let canLabel = permissions.contains(Permission(.artifactLabel, .create))
            let base = artifactPath(projectName, name, artifact.digest)
            let attached = artifact.labels.map { label in
                LabelChip(id: label.id, name: label.name, color: label.color, canRemove: canLabel, removeAction: base + "/labels/\(label.id)/delete")
            }
            var choices: [SelectOption] = []
            if canLabel {
                let project = try await projects.get(projectName, isName: true, caller)
                let first100 = ListQuery(offset: 0, limit: 100)
                let global: [LabelView] = try await labels.list(scope: "g", projectID: nil, name: nil, query: first100, caller).items
                let own: [LabelView] = try await labels.list(scope: "p", projectID: project.projectId, name: nil, query: first100, caller).items
                let attachedIDs = Set(attached.map(\.id))
                for label in global + own where !attachedIDs.contains(label.id) {
                    choices.append(SelectOption(value: String(label.id), label: label.scope == "g" ? "\(label.name) (global)" : label.name, selected: false))
                }
            }
            let content = ArtifactPage(
                frame: frame(visitor), project: projectName, repository: "\(projectName)/\(name)",
                repositoryHref: "/harbor/projects/\(projectName)/repositories/\(PortalFormat.pathSegment(name))",
                digest: artifact.digest, shortDigest: PortalFormat.shortDigest(artifact.digest), type: artifact.type,
                pullByDigest: "\(client) \(image)@\(artifact.digest)", dockerPullByDigest: isImage ? "docker pull \(image)@\(artifact.digest)" : nil, facts: facts, tags: tags, hasTags: !tags.isEmpty,
                canAddTag: permissions.contains(Permission(.tag, .create)), canDelete: permissions.contains(Permission(.artifact, .delete)) && !artifact.tags.contains(where: \.immutable),
                deleteAction: artifactPath(projectName, name, artifact.digest) + "/delete", addTagAction: artifactPath(projectName, name, artifact.digest) + "/tags",
                draftTag: draftTag, problem: problem, children: children, hasChildren: !children.isEmpty,
                config: config, hasConfig: !config.isEmpty, layers: layers, hasLayers: !layers.isEmpty,
                referrers: referrers, hasReferrers: !referrers.isEmpty,
                annotations: annotations, hasAnnotations: !annotations.isEmpty, history: steps, hasHistory: !steps.isEmpty,
                scan: scan, labels: attached, hasLabels: !attached.isEmpty, labelChoices: choices, canAddLabel: canLabel && !choices.isEmpty,
                addLabelAction: base + "/labels")
            return finish(renderer.page("artifact", content, status: status), visitor, request)
        } catch let error as APIError {
            return failure(error, visitor, request)
        }
    }

    /// `linux/arm64/v8` from an index entry's platform.
    static func platform(_ value: JSONValue?) -> String {
        guard case .object(let fields)? = value else { return "—" }
        let parts = ["os", "architecture", "variant"].compactMap { key -> String? in
            if case .string(let text)? = fields[key], !text.isEmpty { return text }
            return nil
        }
        return parts.isEmpty ? "—" : parts.joined(separator: "/")
    }

    /// The facts an image's config adds (Harbor's `extra_attrs`).
    static func imageFacts(_ value: JSONValue?) -> [Fact] {
        guard case .object(let fields)? = value else { return [] }
        return [("architecture", "Architecture"), ("os", "OS"), ("author", "Author"), ("created", "Created")].compactMap { pair in
            let (key, label) = pair
            guard case .string(let text)? = fields[key], !text.isEmpty else { return nil }
            return Fact(label: label, value: key == "created" ? PortalFormat.shownTime(text) : text)
        }
    }

    /// How an image runs, from its config's `config` (Harbor's `extra_attrs.config`): entrypoint, command, working
    /// directory, user, exposed ports, environment and labels.
    static func runConfig(_ value: JSONValue?) -> [Fact] {
        guard case .object(let fields)? = value?["config"] else { return [] }
        func words(_ key: String) -> String? {
            guard case .array(let items)? = fields[key] else { return nil }
            let texts = items.compactMap(\.string)
            return texts.isEmpty ? nil : texts.map { $0.contains(" ") ? "\"\($0)\"" : $0 }.joined(separator: " ")
        }
        var facts: [Fact] = []
        if let entrypoint = words("Entrypoint") { facts.append(Fact(label: "Entrypoint", value: entrypoint)) }
        if let command = words("Cmd") { facts.append(Fact(label: "Command", value: command)) }
        if let directory = fields["WorkingDir"]?.string, !directory.isEmpty { facts.append(Fact(label: "Working directory", value: directory)) }
        if let user = fields["User"]?.string, !user.isEmpty { facts.append(Fact(label: "User", value: user)) }
        if case .object(let ports)? = fields["ExposedPorts"], !ports.isEmpty {
            facts.append(Fact(label: "Ports", value: ports.keys.sorted().joined(separator: ", ")))
        }
        if case .array(let variables)? = fields["Env"] {
            for variable in variables.prefix(100).compactMap(\.string) { facts.append(Fact(label: "Env", value: variable)) }
        }
        if case .object(let labels)? = fields["Labels"] {
            for (key, label) in labels.sorted(by: { $0.key < $1.key }).prefix(100) {
                facts.append(Fact(label: "Label", value: "\(key)=\(label.string ?? "")"))
            }
        }
        return facts
    }

    /// The steps of an image's build history (`created_by` of each history entry, newest last as the config lists them).
    static func historySteps(_ json: Data) -> [HistoryStep] {
        guard let entries = try? JSONSerialization.jsonObject(with: json) as? [[String: Any]] else { return [] }
        return entries.prefix(500).map { entry in
            HistoryStep(created: PortalFormat.shownTime(entry["created"] as? String ?? ""),
                        command: String((entry["created_by"] as? String ?? "").prefix(2000)), empty: entry["empty_layer"] as? Bool ?? false)
        }
    }
}
