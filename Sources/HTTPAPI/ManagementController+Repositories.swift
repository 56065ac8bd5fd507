import Foundation
import Hummingbird
import Management
import NIOCore

extension ManagementController {
    func registerRepositories(_ api: RouterGroup<BerthRequestContext>) {
        let repository = "projects/{project}/repositories/{repository}"
        api.get("repositories") { request, context in
            let (query, page, size) = try APIRequest.listQuery(request)
            return try APIRequest.page(try await repositories.listAll(query: query, context.caller(request)), request, pageNumber: page, pageSize: size)
        }
        api.post(RouterPath(repository + "/artifacts")) { request, context in
            guard let from = request.query("from"), !from.isEmpty else { throw APIError.badRequest("from (project/repository:tag or @digest) is required") }
            let project = try context.pathParameter("project"), name = try context.pathParameter("repository")
            let digest = try await repositories.copy(into: project, repository: name, from: from, context.caller(request))
            let encoded = name.replacingOccurrences(of: "/", with: "%252F")
            return APIRequest.created("/api/v2.0/projects/\(project)/repositories/\(encoded)/artifacts/\(digest)")
        }
        api.get(RouterPath(repository + "/artifacts/{reference}/additions/{addition}")) { request, context in
            let data = try await repositories.addition(project: try context.pathParameter("project"), repository: try context.pathParameter("repository"),
                                                       reference: try context.pathParameter("reference"), addition: try context.pathParameter("addition"),
                                                       context.caller(request))
            return Response(status: .ok, headers: [.contentType: "application/json", .contentLength: String(data.count)],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
        }
        api.get("projects/{project}/repositories") { request, context in
            let (query, page, size) = try APIRequest.listQuery(request)
            return try APIRequest.page(try await repositories.list(project: try context.pathParameter("project"), query: query, context.caller(request)),
                                       request, pageNumber: page, pageSize: size)
        }
        api.get(RouterPath(repository)) { request, context in
            try APIRequest.json(try await repositories.get(project: try context.pathParameter("project"), name: try context.pathParameter("repository"),
                                                           context.caller(request)))
        }
        api.put(RouterPath(repository)) { request, context in
            let body = try await APIRequest.body(request, as: RepositoryUpdateRequest.self)
            try await repositories.update(project: try context.pathParameter("project"), name: try context.pathParameter("repository"), body,
                                          context.caller(request))
            return APIRequest.ok()
        }
        api.delete(RouterPath(repository)) { request, context in
            try await repositories.delete(project: try context.pathParameter("project"), name: try context.pathParameter("repository"), context.caller(request))
            return APIRequest.ok()
        }
        api.get(RouterPath(repository + "/artifacts")) { request, context in
            let (query, page, size) = try APIRequest.listQuery(request)
            return try APIRequest.page(try await repositories.artifacts(project: try context.pathParameter("project"),
                                                                        repository: try context.pathParameter("repository"), query: query,
                                                                        withScanOverview: request.query("with_scan_overview") == "true",
                                                                        withSBOMOverview: request.query("with_sbom_overview") == "true",
                                                                        context.caller(request)), request, pageNumber: page, pageSize: size)
        }
        api.get(RouterPath(repository + "/artifacts/{reference}")) { request, context in
            try APIRequest.json(try await repositories.artifact(project: try context.pathParameter("project"), repository: try context.pathParameter("repository"),
                                                                reference: try context.pathParameter("reference"),
                                                                withScanOverview: request.query("with_scan_overview") == "true",
                                                                withSBOMOverview: request.query("with_sbom_overview") == "true", context.caller(request)))
        }
        api.post(RouterPath(repository + "/artifacts/{reference}/scan")) { request, context in
            let body = try await APIRequest.optionalBody(request, as: ScanTypeRequest.self)
            try await scans.scan(project: try context.pathParameter("project"), repository: try context.pathParameter("repository"),
                                 reference: try context.pathParameter("reference"), scanType: body?.scanType, context.caller(request))
            return Response(status: .accepted, headers: [.contentLength: "0"])
        }
        api.post(RouterPath(repository + "/artifacts/{reference}/scan/stop")) { request, context in
            try await scans.stop(project: try context.pathParameter("project"), repository: try context.pathParameter("repository"),
                                 reference: try context.pathParameter("reference"), context.caller(request))
            return Response(status: .accepted, headers: [.contentLength: "0"])
        }
        api.get("system/scanAll/schedule") { request, context in try APIRequest.json(try await scanAll.schedule(context.caller(request))) }
        for method in [HTTPRequest.Method.put, .post] {
            api.on("system/scanAll/schedule", method: method) { request, context in
                try await scanAll.setSchedule(try await APIRequest.body(request, as: ScanAllScheduleRequest.self), context.caller(request))
                return Response(status: request.method == .post ? .created : .ok, headers: [.contentLength: "0"])
            }
        }
        api.post("system/scanAll/stop") { request, context in
            try await scanAll.stop(context.caller(request))
            return Response(status: .accepted, headers: [.contentLength: "0"])
        }
        api.get("scans/all/metrics") { request, context in try APIRequest.json(try await scanAll.metrics(scheduled: false, context.caller(request))) }
        api.get("scans/schedule/metrics") { request, context in try APIRequest.json(try await scanAll.metrics(scheduled: true, context.caller(request))) }
        api.get("security/summary") { request, context in
            try APIRequest.json(try await securityHub.summary(withDangerousCVEs: request.query("with_dangerous_cve") == "true",
                                                              withDangerousArtifacts: request.query("with_dangerous_artifact") == "true",
                                                              context.caller(request)))
        }
        api.get("security/vul") { request, context in
            let (query, page, size) = try APIRequest.listQuery(request)
            return try APIRequest.page(try await securityHub.vulnerabilities(query, withTag: request.query("with_tag") == "true",
                                                                             context.caller(request)), request, pageNumber: page, pageSize: size)
        }
        api.post("export/cve") { request, context in
            let id = try await cveExports.start(try await APIRequest.body(request, as: CVEExportRequest.self), context.caller(request))
            return try APIRequest.json(["id": id])
        }
        api.get("export/cve/execution/{id}") { request, context in
            try APIRequest.json(try await cveExports.execution(id: try context.idParameter("id"), context.caller(request)))
        }
        api.get("export/cve/executions") { request, context in try APIRequest.json(["items": try await cveExports.executions(context.caller(request))]) }
        api.get("export/cve/download/{id}") { request, context in
            let (name, csv) = try await cveExports.download(id: try context.idParameter("id"), context.caller(request))
            return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"\(name)\""],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: csv)))
        }
        api.get("advisories/sources") { request, context in try APIRequest.json(try await advisories.sources(context.caller(request))) }
        api.delete("advisories/sources/{name}") { request, context in
            try await advisories.delete(named: try context.pathParameter("name"), context.caller(request))
            return APIRequest.ok()
        }
        api.post("advisories/import") { request, context in
            guard let source = request.query("source"), !source.isEmpty else { throw APIError.badRequest("source (the advisory source's name) is required") }
            let upload = try await AdvisoryUpload.save(request)
            defer { try? FileManager.default.removeItem(atPath: upload) }
            return try APIRequest.json(try await advisories.importBundle(named: source, path: upload, context.caller(request)), status: .created)
        }
        api.get("system/CVEAllowlist") { request, context in try APIRequest.json(try await allowlist.get(context.caller(request))) }
        api.put("system/CVEAllowlist") { request, context in
            try await allowlist.put(try await APIRequest.body(request, as: ProjectRequest.Allowlist.self), context.caller(request))
            return APIRequest.ok()
        }
        api.get(RouterPath(repository + "/artifacts/{reference}/scan/{report}/log")) { request, context in
            let log = try await scans.log(project: try context.pathParameter("project"), repository: try context.pathParameter("repository"),
                                          reference: try context.pathParameter("reference"), reportID: try context.pathParameter("report"),
                                          context.caller(request))
            return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: log)))
        }
        api.delete(RouterPath(repository + "/artifacts/{reference}")) { request, context in
            try await repositories.deleteArtifact(project: try context.pathParameter("project"), repository: try context.pathParameter("repository"),
                                                  reference: try context.pathParameter("reference"), context.caller(request))
            return APIRequest.ok()
        }
        api.get(RouterPath(repository + "/artifacts/{reference}/tags")) { request, context in
            let tags = try await repositories.tags(project: try context.pathParameter("project"), repository: try context.pathParameter("repository"),
                                                   reference: try context.pathParameter("reference"), context.caller(request))
            return try APIRequest.json(tags, headers: [HeaderNames.totalCount: String(tags.count)])
        }
        api.post(RouterPath(repository + "/artifacts/{reference}/tags")) { request, context in
            let body = try await APIRequest.body(request, as: TagRequest.self)
            try await repositories.addTag(project: try context.pathParameter("project"), repository: try context.pathParameter("repository"),
                                          reference: try context.pathParameter("reference"), body, context.caller(request))
            return Response(status: .created, headers: [.contentLength: "0"])
        }
        api.delete(RouterPath(repository + "/artifacts/{reference}/tags/{tag}")) { request, context in
            try await repositories.deleteTag(project: try context.pathParameter("project"), repository: try context.pathParameter("repository"),
                                             reference: try context.pathParameter("reference"), tag: try context.pathParameter("tag"), context.caller(request))
            return APIRequest.ok()
        }
        api.post(RouterPath(repository + "/artifacts/{reference}/labels")) { request, context in
            let body = try await APIRequest.body(request, as: ArtifactLabelRequest.self)
            try await labels.attach(project: try context.pathParameter("project"), repository: try context.pathParameter("repository"),
                                    reference: try context.pathParameter("reference"), body, context.caller(request))
            return Response(status: .created, headers: [.contentLength: "0"])
        }
        api.delete(RouterPath(repository + "/artifacts/{reference}/labels/{label}")) { request, context in
            try await labels.detach(project: try context.pathParameter("project"), repository: try context.pathParameter("repository"),
                                    reference: try context.pathParameter("reference"), labelID: try context.idParameter("label"), context.caller(request))
            return APIRequest.ok()
        }
    }
}
