import Hummingbird
import NIOCore
import OCI

/// The portal's static files, compiled into the binary and served under names that carry a hash of their content,
/// so browsers may keep them for a year: a changed file gets a new name.
struct PortalAssets: Sendable {
    /// One served file.
    struct Asset: Sendable {
        let name: String
        let contentType: String
        let bytes: ByteBuffer
    }

    let byName: [String: Asset]
    /// The path of the stylesheet, for templates.
    let stylesheetPath: String
    /// The path of the script, for templates.
    let scriptPath: String

    init() {
        let css = Self.asset("portal", "css", "text/css; charset=utf-8", Self.stylesheet)
        let js = Self.asset("portal", "js", "text/javascript; charset=utf-8", PortalScript.text)
        byName = [css.name: css, js.name: js]
        stylesheetPath = "/harbor/assets/" + css.name
        scriptPath = "/harbor/assets/" + js.name
    }

    static func asset(_ base: String, _ ext: String, _ type: String, _ text: String) -> Asset {
        let digest = Digest.compute(of: Array(text.utf8)).hex
        return Asset(name: "\(base).\(digest.prefix(12)).\(ext)", contentType: type, bytes: ByteBuffer(string: text))
    }

    /// The response for `name`, or nil when there is no such file.
    func response(for name: String) -> Response? {
        guard let asset = byName[name] else { return nil }
        return Response(status: .ok, headers: [.contentType: asset.contentType, .cacheControl: "public, max-age=31536000, immutable",
                                              .contentLength: String(asset.bytes.readableBytes)],
                        body: ResponseBody(byteBuffer: asset.bytes))
    }

    /// A calm layout that works from a laptop down to a phone: system fonts, one accent colour, tables that scroll
    /// sideways on narrow screens, visible focus for keyboard users.
    static let stylesheet = """
        :root { --ink: #1d2733; --muted: #5b6775; --line: #d9dee4; --paper: #ffffff; --wash: #f4f6f8; --accent: #0b63b6;
                --accent-ink: #ffffff; --problem: #a4262c; --problem-wash: #fdf0f0; }
        * { box-sizing: border-box; }
        html { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; font-size: 15px; color: var(--ink); background: var(--wash); }
        body { margin: 0; min-height: 100vh; display: flex; flex-direction: column; }
        a { color: var(--accent); }
        a:focus-visible, button:focus-visible, input:focus-visible, summary:focus-visible { outline: 3px solid #7fb3e6; outline-offset: 2px; }
        .bar { display: flex; align-items: center; gap: 1.5rem; padding: .6rem 1.25rem; background: #17212b; color: #e8edf2; flex-wrap: wrap; }
        .bar a { color: #e8edf2; text-decoration: none; }
        .bar nav { display: flex; gap: 1rem; flex: 1; }
        .brand { font-weight: 700; letter-spacing: .02em; font-size: 1.1rem; }
        .account { display: flex; align-items: center; gap: .75rem; }
        .user { color: #b8c4d0; }
        main { flex: 1; width: 100%; max-width: 72rem; margin: 0 auto; padding: 1.25rem; }
        footer { color: var(--muted); font-size: .85rem; text-align: center; padding: 1rem; }
        h1 { font-size: 1.5rem; margin: .2rem 0 1rem; }
        h2 { font-size: 1.15rem; }
        .heading { display: flex; align-items: baseline; justify-content: space-between; gap: 1rem; flex-wrap: wrap; }
        .card { background: var(--paper); border: 1px solid var(--line); border-radius: 8px; padding: 1rem 1.25rem; margin: 0 0 1rem; }
        .narrow { max-width: 26rem; margin: 2rem auto; }
        .stack { display: flex; flex-direction: column; gap: .45rem; max-width: 26rem; }
        .stack label { font-weight: 600; margin-top: .35rem; }
        .stack label.check { font-weight: 400; display: flex; gap: .5rem; align-items: center; }
        input:not([type=checkbox]) { font: inherit; padding: .45rem .55rem; border: 1px solid #b9c2cc; border-radius: 5px; background: #fff; color: var(--ink); }
        button { font: inherit; padding: .45rem .9rem; border: 1px solid #b9c2cc; border-radius: 5px; background: #fff; color: var(--ink); cursor: pointer; }
        button.primary { background: var(--accent); border-color: var(--accent); color: var(--accent-ink); font-weight: 600; margin-top: .6rem; align-self: flex-start; }
        button.link { background: none; border: none; color: #e8edf2; padding: 0; text-decoration: underline; }
        form.inline { display: inline; margin: 0; }
        .search { display: flex; gap: .4rem; }
        summary { cursor: pointer; font-weight: 600; }
        details[open] summary { margin-bottom: .6rem; }
        .scroll { overflow-x: auto; background: var(--paper); border: 1px solid var(--line); border-radius: 8px; }
        table.list { width: 100%; border-collapse: collapse; }
        table.list th, table.list td { text-align: left; padding: .55rem .8rem; border-bottom: 1px solid var(--line); white-space: nowrap; }
        table.list th { font-size: .8rem; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); background: #fafbfc; }
        table.list tr:last-child td { border-bottom: none; }
        .number { text-align: right !important; font-variant-numeric: tabular-nums; }
        .pager { display: flex; gap: 1rem; align-items: center; justify-content: flex-end; margin: .8rem 0; color: var(--muted); }
        .problem { background: var(--problem-wash); color: var(--problem); border: 1px solid #f0c4c6; border-radius: 6px; padding: .6rem .8rem; }
        .empty { color: var(--muted); }
        .chips { list-style: none; display: flex; flex-wrap: wrap; gap: .5rem; padding: 0; margin: 0 0 1rem; }
        .chips li { display: flex; align-items: center; gap: .25rem; }
        .badge { font-size: .75rem; font-weight: 600; vertical-align: middle; border: 1px solid var(--line); border-radius: 999px; padding: .1rem .55rem; color: var(--muted); background: var(--paper); }
        .crumbs { color: var(--muted); margin: 0; }
        pre { background: #17212b; color: #e8edf2; padding: .8rem 1rem; border-radius: 6px; overflow-x: auto; }
        .tabs { display: flex; gap: .25rem; border-bottom: 1px solid var(--line); margin: 0 0 1rem; flex-wrap: wrap; }
        .tabs a { padding: .5rem .9rem; text-decoration: none; color: var(--muted); border-bottom: 3px solid transparent; white-space: nowrap; }
        .tabs a[aria-current=page] { color: var(--ink); border-bottom-color: var(--accent); font-weight: 600; }
        .facts { color: var(--muted); }
        dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .35rem 1rem; margin: 0; color: var(--ink); }
        dl.facts dt { color: var(--muted); }
        dl.facts dd { margin: 0; overflow-wrap: anywhere; }
        .description { white-space: pre-wrap; overflow-wrap: anywhere; }
        textarea, select { font: inherit; padding: .45rem .55rem; border: 1px solid #b9c2cc; border-radius: 5px; background: #fff; color: var(--ink); }
        textarea { width: 100%; max-width: 40rem; }
        .stack:has(textarea) { max-width: 40rem; }
        .inline-form { display: flex; gap: .4rem; align-items: center; flex-wrap: wrap; margin: .6rem 0 0; }
        table.list .inline-form { margin: 0; display: inline-flex; }
        details.confirm { display: inline-block; margin-left: .4rem; }
        details.confirm summary { font-weight: 400; color: var(--problem); }
        details.danger-zone { display: block; margin: 0 0 1rem; }
        button.danger { background: var(--problem); border-color: var(--problem); color: #fff; }
        pre.command { margin: 0 0 1rem; }
        ol.history { padding-left: 1.5rem; margin: 0; }
        ol.history li { margin: .3rem 0; overflow-wrap: anywhere; }
        ol.history li.empty-layer { color: var(--muted); }
        ol.history code { white-space: pre-wrap; }
        .wide { max-width: 44rem; }
        fieldset.choices { border: 1px solid var(--line); border-radius: 6px; padding: .5rem .8rem; display: grid; gap: .3rem; }
        fieldset.choices .check { font-weight: 400; display: flex; gap: .5rem; align-items: center; }
        #robot-secret { font-size: 1rem; background: var(--wash); padding: .2rem .4rem; border-radius: 4px; user-select: all; }
        button.copy { font-size: .8rem; padding: .2rem .6rem; margin-left: .5rem; vertical-align: middle; }
        .command-line { display: flex; align-items: center; gap: .5rem; margin: 0 0 1rem; }
        .command-line pre { flex: 1; margin: 0; min-width: 0; }
        .notice { background: #eef6ee; color: #1f5b25; border: 1px solid #c5e0c7; border-radius: 6px; padding: .6rem .8rem; }
        .actions { display: flex; gap: .4rem; align-items: center; flex-wrap: wrap; }
        .progress { display: flex; gap: .5rem; align-items: center; font-size: .85rem; white-space: nowrap; }
        .progress progress { width: 8rem; }
        .actions details.confirm { margin-left: 0; }
        .actions details[open] { display: block; }
        form.filters { flex-wrap: wrap; align-items: center; margin: 0 0 1rem; }
        form.filters label { color: var(--muted); }
        table.list td.wrap { white-space: normal; overflow-wrap: anywhere; max-width: 24rem; }
        h3 { font-size: 1rem; }
        .columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr)); gap: 0 1rem; }
        .severity-bar { vertical-align: middle; border-radius: 2px; background: var(--line); }
        .sev.critical { fill: #7d1418; } .sev.high { fill: #d13438; } .sev.medium { fill: #e08a00; } .sev.low { fill: #c8b400; } .sev.unknown { fill: #8a96a3; }
        .severity { font-size: .8rem; font-weight: 600; border-radius: 4px; padding: .05rem .4rem; color: #fff; background: #8a96a3; }
        .severity.critical { background: #7d1418; } .severity.high { background: #d13438; } .severity.medium { background: #b86e00; } .severity.low { background: #8a7c00; }
        .scan-status.error { color: var(--problem); } .scan-status.running { color: var(--accent); }
        a.current { font-weight: 700; text-decoration: none; color: var(--ink); }
        figure.chart { margin: 0; }
        figure.chart svg { width: 100%; height: auto; max-height: 16rem; display: block; }
        figure.chart .bar { fill: var(--accent); }
        figure.chart .bar:hover { fill: #084a88; }
        figure.chart .axis { stroke: #8a96a3; stroke-width: 1; }
        figure.chart .grid { stroke: var(--line); stroke-width: 1; stroke-dasharray: 4 4; }
        figure.chart .tick { fill: var(--muted); font-size: 11px; }
        figure.chart figcaption { color: var(--muted); font-size: .85rem; margin-top: .3rem; }
        .hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
        @media (max-width: 40rem) { main { padding: .75rem; } .bar { gap: .75rem; } h1 { font-size: 1.25rem; } }
        """
}
