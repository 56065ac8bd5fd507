import APIInput
import Auth
import Foundation
import HTTPAPI
import Hummingbird
import Management

/// Administration → Project quotas: every project's storage usage against its limit as a bar, and for system
/// administrators a form per project to change the limit (in MiB, GiB or TiB, or no limit). The service refuses
/// everyone else, as on the API.
extension PortalController {
    @Sendable func projectQuotas(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        return try await quotasPage(request, context, visitor, problem: nil)
    }

    @Sendable func setProjectQuota(_ request: Request, context: BerthRequestContext) async throws -> Response {
        try await formChange(request, context) { form, caller in
            try await quotas.update(try Self.identifier(context, "quota", what: "quota"), QuotaUpdateRequest(storage: try Self.limit(form)), caller)
            return "/harbor/project-quotas" + (request.uri.queryParameters["page"].map { "?page=\($0)" } ?? "")
        } refused: { visitor, _, error in
            try await quotasPage(request, context, visitor, problem: Self.sentenceCase(error.message), status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    func quotasPage(_ request: Request, _ context: BerthRequestContext, _ visitor: PortalVisitor, problem: String?,
                    status: HTTPResponse.Status = .ok) async throws -> Response {
        let pageNumber = PortalFormat.pageNumber(request)
        do {
            let page = try await quotas.list(reference: nil, referenceID: nil, page: pageNumber, pageSize: PortalFormat.pageSize,
                                             caller(visitor, request, context))
            let rows = page.items.map { quota in
                let (amount, unit) = Self.shownLimit(quota.hard.storage)
                return QuotaRow(id: quota.id, project: quota.ref.name, bar: QuotaBar(used: quota.used.storage, limit: quota.hard.storage),
                                action: "/harbor/project-quotas/\(quota.id)", amount: amount,
                                units: ["MiB", "GiB", "TiB"].map { SelectOption(value: $0, label: $0, selected: $0 == unit) })
            }
            let content = QuotasPage(frame: frame(visitor), tabs: adminTabs(active: "quotas"), problem: problem, rows: rows, hasRows: !rows.isEmpty,
                                     pager: PortalFormat.pager(request, page: pageNumber, total: page.total, shown: rows.count))
            return finish(renderer.page("project-quotas", content, status: status), visitor, request)
        } catch let error as APIError {
            return failure(error, visitor, request)
        }
    }

    /// The limit a form gives: an amount in a unit, or -1 (or empty) for none.
    static func limit(_ form: FormFields) throws -> Int64 {
        let amount = (form["amount"] ?? "").trimmingCharacters(in: .whitespaces)
        if amount.isEmpty || amount == "-1" { return -1 }
        let multiplier: Double
        switch form["unit"] ?? "GiB" {
        case "MiB": multiplier = 1_048_576
        case "GiB": multiplier = 1_073_741_824
        case "TiB": multiplier = 1_099_511_627_776
        default: throw APIError.badRequest("choose MiB, GiB or TiB")
        }
        guard amount.count <= 20, let value = Double(amount), value.isFinite, value >= 0, value * multiplier <= Double(QuotaService.maximumLimit) else {
            throw APIError.badRequest("the limit must be a number of MiB, GiB or TiB (or -1 for no limit)")
        }
        return Int64((value * multiplier).rounded())
    }

    /// A limit as the form shows it: the largest unit it is a whole or short number of.
    static func shownLimit(_ bytes: Int64) -> (String, String) {
        if bytes < 0 { return ("-1", "GiB") }
        for (unit, size) in [("TiB", Double(1 << 40)), ("GiB", Double(1 << 30))] where Double(bytes) >= size {
            return (Self.trimmed(Double(bytes) / size), unit)
        }
        return (Self.trimmed(Double(bytes) / Double(1 << 20)), "MiB")
    }

    static func trimmed(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        return rounded == rounded.rounded() ? String(Int64(rounded)) : String(rounded)
    }
}

/// One project's quota in the list, with its edit form.
struct QuotaRow: Sendable {
    let id: Int64
    let project: String
    let bar: QuotaBar
    let action: String
    let amount: String
    let units: [SelectOption]
}

/// Administration → Project quotas.
struct QuotasPage: Sendable {
    let frame: Frame
    let tabs: [ProjectTab]
    let problem: String?
    let rows: [QuotaRow]
    let hasRows: Bool
    let pager: Pager?
}
