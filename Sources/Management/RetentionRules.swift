import Foundation
import Jobs
import Metadata
import Registry

/// What makes a retention policy acceptable: at most 15 rules, each with a known template and a number in bounds,
/// one doublestar tag selector and one repository selector whose patterns parse, and a cron expression or none.
enum RetentionRules {
    /// The most rules a policy may hold (Harbor's limit).
    static let maximumRules = 15

    /// The checked rules and schedule of `request`.
    static func validate(_ request: RetentionPolicyRequest) throws -> (rules: [RetentionRule], cron: String) {
        if let algorithm = request.algorithm, !algorithm.isEmpty, algorithm != "or" { throw APIError.badRequest("algorithm must be or") }
        let sent = request.rules ?? []
        guard sent.count <= maximumRules else { throw APIError.badRequest("a retention policy has at most \(maximumRules) rules") }
        var rules: [RetentionRule] = []
        for (index, rule) in sent.enumerated() {
            rules.append(try validate(rule, id: index + 1))
        }
        var cron = ""
        if let trigger = request.trigger {
            if let kind = trigger.kind, !kind.isEmpty, kind != "Schedule" { throw APIError.badRequest("trigger.kind must be Schedule") }
            cron = trigger.settings?["cron"]?.string ?? ""
            guard cron.utf8.count <= 100 else { throw APIError.badRequest("trigger.settings.cron is too long") }
            if !cron.isEmpty {
                do { _ = try CronExpression(cron) } catch { throw APIError.badRequest("trigger.settings.cron: \(error)") }
            }
        }
        return (rules, cron)
    }

    static func validate(_ rule: RetentionPolicyRequest.Rule, id: Int) throws -> RetentionRule {
        let what = "rule \(id)"
        if let action = rule.action, !action.isEmpty, action != "retain" { throw APIError.badRequest("\(what): action must be retain") }
        guard let template = rule.template, let known = RetentionEvaluator.templates.first(where: { $0.template == template }) else {
            throw APIError.badRequest("\(what): template must be one of \(RetentionEvaluator.templates.map(\.template).joined(separator: ", "))")
        }
        var count = 0
        if let unit = known.unit {
            let value = rule.params?[template]
            guard let number = value?.integer ?? value?.string.flatMap({ Int64($0) }) else {
                throw APIError.badRequest("\(what): params.\(template) must be a number")
            }
            let limit: Int64 = unit == "days" ? 36_500 : 100_000
            guard number >= 0, number <= limit else { throw APIError.badRequest("\(what): params.\(template) must be between 0 and \(limit)") }
            count = Int(number)
        }
        let priority = rule.priority ?? 0
        guard priority >= Int(Int32.min), priority <= Int(Int32.max) else { throw APIError.badRequest("\(what): priority is out of range") }
        guard let tags = rule.tagSelectors, tags.count == 1 else { throw APIError.badRequest("\(what): tag_selectors must hold one selector") }
        guard let scopes = rule.scopeSelectors, scopes.count == 1, let repositories = scopes["repository"], repositories.count == 1 else {
            throw APIError.badRequest("\(what): scope_selectors must hold one repository selector")
        }
        let (tagDecoration, tagPattern) = try HarborSelectorRules.checked(tags[0], decorations: ["matches", "excludes"], what: "\(what): the tag selector")
        let (repositoryDecoration, repositoryPattern) = try HarborSelectorRules.checked(repositories[0], decorations: ["repoMatches", "repoExcludes"],
                                                                     what: "\(what): the repository selector")
        var untagged = false
        if let extras = tags[0].extras, !extras.isEmpty {
            guard extras.utf8.count <= 1024, let object = try? JSONSerialization.jsonObject(with: Data(extras.utf8)) as? [String: Any] else {
                throw APIError.badRequest("\(what): the tag selector's extras must be a JSON object such as {\"untagged\":true}")
            }
            untagged = object["untagged"] as? Bool ?? false
        }
        return RetentionRule(id: id, priority: priority, disabled: rule.disabled ?? false, template: template, count: count,
                             repositoryDecoration: repositoryDecoration, repositoryPattern: repositoryPattern, tagDecoration: tagDecoration,
                             tagPattern: tagPattern, untagged: untagged)
    }
}
