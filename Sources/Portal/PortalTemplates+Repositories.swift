/// The templates of a project's repositories, a repository and an artifact.
extension PortalTemplates {
    /// A project's repositories.
    static let repositories = #"""
        {{<layout}}
        {{$title}}{{project}}{{/title}}
        {{$content}}
        {{>project-tabs}}
        <div class="heading">
          <h2>Repositories</h2>
          <form class="search" method="get" action="/harbor/projects/{{project}}/repositories" role="search">
            <label for="filter" class="hidden">Filter repositories by name</label>
            <input id="filter" name="name" value="{{filter}}" placeholder="Filter by name">
            <button type="submit">Filter</button>
          </form>
        </div>
        {{#hasRows}}
        <div class="scroll">
        <table class="list" id="repositories">
          <thead><tr><th scope="col">Name</th><th scope="col" class="number">Artifacts</th><th scope="col" class="number">Pulls</th><th scope="col">Last modified</th></tr></thead>
          <tbody>
          {{#rows}}<tr><td><a href="{{href}}">{{name}}</a></td><td class="number">{{artifacts}}</td><td class="number">{{pulls}}</td><td><time datetime="{{updated}}">{{updatedShown}}</time></td></tr>
          {{/rows}}
          </tbody>
        </table>
        </div>
        {{/hasRows}}
        {{^hasRows}}
        {{#isFiltered}}<p class="empty" id="empty">No repository matches “{{filter}}”.</p>{{/isFiltered}}
        {{^isFiltered}}
        <section class="card empty" id="empty">
          <h2>No repositories yet</h2>
          <p>Push an image to start one, for example:</p>
          <pre><code>podman login {{registry}}
        podman tag my-image {{registry}}/{{project}}/my-image:latest
        podman push {{registry}}/{{project}}/my-image:latest</code></pre>
        </section>
        {{/isFiltered}}
        {{/hasRows}}
        {{>pager}}
        {{/content}}
        {{/layout}}
        """#

    /// A repository: description, pull command, artifacts.
    static let repository = #"""
        {{<layout}}
        {{$title}}{{name}}{{/title}}
        {{$content}}
        <p class="crumbs"><a href="/harbor/projects">Projects</a> / <a href="/harbor/projects/{{project}}/repositories">{{project}}</a> / {{shortName}}</p>
        <h1 id="repository-name">{{name}}</h1>
        <p class="facts">Artifacts: <span id="artifact-count">{{artifactCount}}</span> · Pulls: <span id="pull-count">{{pullCount}}</span></p>
        {{#canDelete}}<details class="confirm danger-zone" id="delete-repository"><summary>Delete repository</summary>
          <form method="post" action="{{base}}/delete"><input type="hidden" name="csrf_token" value="{{frame.csrf}}"><button type="submit" class="danger" id="delete-repository-button">Delete {{name}} and its {{artifactCount}} artifacts</button></form>
        </details>{{/canDelete}}
        <div class="command-line"><pre class="command"><code id="pull-command">{{pullCommand}}</code></pre><button type="button" class="copy" hidden data-copy="{{pullCommand}}" data-target="pull-command" id="copy-pull-command">Copy</button></div>
        <div class="command-line"><pre class="command"><code id="pull-command-docker">{{dockerPullCommand}}</code></pre><button type="button" class="copy" hidden data-copy="{{dockerPullCommand}}" data-target="pull-command-docker">Copy</button></div>
        <section class="card" id="info">
          <h2>Description</h2>
          {{#problem}}<p class="problem" role="alert" id="problem">{{problem}}</p>{{/problem}}
          {{#hasDescription}}<div class="description" id="description">{{description}}</div>{{/hasDescription}}
          {{^hasDescription}}<p class="empty" id="description-empty">No description yet.</p>{{/hasDescription}}
          {{#canEdit}}
          <details id="edit-description"{{#editing}} open{{/editing}}>
            <summary>Edit description</summary>
            <form method="post" action="{{base}}/description" class="stack">
              <input type="hidden" name="csrf_token" value="{{frame.csrf}}">
              <label for="description-text">Description</label>
              <textarea id="description-text" name="description" rows="8" maxlength="65536">{{description}}</textarea>
              <button class="primary" type="submit" id="save-description">Save</button>
            </form>
          </details>
          {{/canEdit}}
        </section>
        <div class="heading">
          <h2>Artifacts</h2>
          <form class="search" method="get" action="{{base}}" role="search">
            <label for="tag-filter" class="hidden">Filter artifacts by tag</label>
            <input id="tag-filter" name="tag" value="{{tagFilter}}" placeholder="Filter by tag">
            <button type="submit">Filter</button>
          </form>
        </div>
        {{#hasRows}}
        <div class="scroll">
        <table class="list" id="artifacts">
          <thead><tr><th scope="col">Artifact</th><th scope="col">Tags</th><th scope="col">Type</th><th scope="col">Vulnerabilities</th><th scope="col" class="number">Size</th><th scope="col">Push time</th><th scope="col">Pull time</th></tr></thead>
          <tbody>
          {{#rows}}<tr><td><a href="{{href}}" title="{{digest}}"><code>{{shortDigest}}</code></a></td><td>{{tags}}</td><td>{{type}}</td><td class="scan-cell">{{#scan}}<span class="scan-status {{statusClass}}">{{text}}</span>{{#bar}} {{>severity-bar}}{{/bar}}{{/scan}}</td><td class="number">{{size}}</td><td><time datetime="{{pushed}}">{{pushedShown}}</time></td><td>{{pulledShown}}</td></tr>
          {{/rows}}
          </tbody>
        </table>
        </div>
        {{/hasRows}}
        {{^hasRows}}<p class="empty" id="empty">{{#isFiltered}}No artifact has a tag matching “{{tagFilter}}”.{{/isFiltered}}{{^isFiltered}}No artifacts.{{/isFiltered}}</p>{{/hasRows}}
        {{>pager}}
        {{/content}}
        {{/layout}}
        """#

    /// One artifact: facts, tags, children, annotations, build history.
    static let artifact = #"""
        {{<layout}}
        {{$title}}{{repository}}@{{shortDigest}}{{/title}}
        {{$content}}
        <p class="crumbs"><a href="/harbor/projects">Projects</a> / <a href="/harbor/projects/{{project}}/repositories">{{project}}</a> / <a href="{{repositoryHref}}">{{repository}}</a> / {{shortDigest}}</p>
        <h1><code id="artifact-digest" title="{{digest}}">{{shortDigest}}</code> <span class="badge">{{type}}</span></h1>
        <div class="command-line"><pre class="command"><code id="pull-by-digest">{{pullByDigest}}</code></pre><button type="button" class="copy" hidden data-copy="{{pullByDigest}}" data-target="pull-by-digest">Copy</button></div>
        {{#dockerPullByDigest}}<div class="command-line"><pre class="command"><code id="pull-by-digest-docker">{{dockerPullByDigest}}</code></pre><button type="button" class="copy" hidden data-copy="{{dockerPullByDigest}}" data-target="pull-by-digest-docker">Copy</button></div>{{/dockerPullByDigest}}
        {{#problem}}<p class="problem" role="alert" id="problem">{{problem}}</p>{{/problem}}
        {{#canDelete}}<details class="confirm danger-zone" id="delete-artifact"><summary>Delete artifact</summary>
          <form method="post" action="{{deleteAction}}"><input type="hidden" name="csrf_token" value="{{frame.csrf}}"><button type="submit" class="danger" id="delete-artifact-button">Delete {{shortDigest}} and its tags</button></form>
        </details>{{/canDelete}}
        <section class="card">
          <h2>Overview</h2>
          <dl class="facts" id="facts">{{#facts}}<dt>{{label}}</dt><dd>{{value}}</dd>{{/facts}}</dl>
        </section>
        {{#scan}}
        <section class="card" id="vulnerabilities"{{#isLive}} data-live="3"{{/isLive}}>
          <div class="heading"><h2>Vulnerabilities</h2>
          {{#canScan}}<form method="post" action="{{scanAction}}" class="inline-form" id="scan-form"><input type="hidden" name="csrf_token" value="{{frame.csrf}}"><input type="hidden" name="scan_type" value="vulnerability"><button type="submit" id="scan-button"{{#isRunning}} disabled{{/isRunning}}>Scan</button></form>{{/canScan}}
          </div>
          <p class="scan-status {{statusClass}}" id="scan-status">{{statusText}}</p>
          {{#bar}}<p class="severity-line">{{>severity-bar}} <span id="scan-counts">{{words}}</span></p>{{/bar}}
          {{#scannedBy}}<p class="facts" id="scanned-by">Scanned by {{scannedBy}}{{#logHref}} · <a href="{{logHref}}" id="scan-log">Scan log</a>{{/logHref}}</p>{{/scannedBy}}
          {{#hasFindings}}
          <form class="search" method="get" action="#vulnerabilities" id="vulnerability-filter" role="search">
            <label for="filter-severity" class="hidden">Severity</label>
            <select id="filter-severity" name="severity">{{#severityOptions}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/severityOptions}}</select>
            <label for="filter-package" class="hidden">Package</label>
            <input id="filter-package" name="package" value="{{packageFilter}}" placeholder="Package">
            <label for="filter-fixable" class="hidden">Fix</label>
            <select id="filter-fixable" name="fixable">{{#fixableOptions}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/fixableOptions}}</select>
            <button type="submit" id="apply-filter">Filter</button>
          </form>
          <p class="facts">Sort by: {{#sortLinks}}<a href="{{href}}" id="sort-{{value}}"{{#selected}} aria-current="true" class="current"{{/selected}}>{{label}}</a> {{/sortLinks}}</p>
          {{/hasFindings}}
          {{#hasRows}}
          <div class="scroll">
          <table class="list" id="vulnerability-table">
            <thead><tr><th scope="col">Vulnerability</th><th scope="col">Severity</th><th scope="col">Package</th><th scope="col">Version</th><th scope="col">Fixed in</th><th scope="col" class="number">CVSS v3</th></tr></thead>
            <tbody>{{#rows}}<tr><td>{{#href}}<a href="{{href}}" rel="noreferrer noopener" target="_blank">{{id}}</a>{{/href}}{{^href}}{{id}}{{/href}}</td><td><span class="severity {{severityClass}}">{{severity}}</span></td><td>{{package}}</td><td><code>{{version}}</code></td><td><code>{{fixVersion}}</code></td><td class="number">{{cvss}}</td></tr>{{/rows}}</tbody>
          </table>
          </div>
          {{#truncated}}<p class="facts" id="truncated">The first 500 of {{shown}} are shown; filter to narrow the list.</p>{{/truncated}}
          {{/hasRows}}
          {{^hasRows}}{{#isFiltered}}<p class="empty" id="no-match">No vulnerability matches these filters.</p>{{/isFiltered}}{{/hasRows}}
          <h3>Software bill of materials</h3>
          <p id="sbom-status">{{sbomStatus}}{{#sbomHref}} <a href="{{sbomHref}}" id="sbom-link">Open the SBOM</a>{{/sbomHref}}</p>
          {{#canScan}}<form method="post" action="{{scanAction}}" class="inline-form" id="sbom-form"><input type="hidden" name="csrf_token" value="{{frame.csrf}}"><input type="hidden" name="scan_type" value="sbom"><button type="submit" id="sbom-button">Generate SBOM</button></form>{{/canScan}}
        </section>
        {{/scan}}
        <section class="card" id="labels-section">
          <h2>Labels</h2>
          {{#hasLabels}}<ul class="chips" id="labels">{{#labels}}<li><span class="badge" id="label-{{id}}" title="{{color}}">{{name}}</span>{{#canRemove}}
            <form method="post" action="{{removeAction}}" class="inline"><input type="hidden" name="csrf_token" value="{{frame.csrf}}"><button type="submit" id="remove-label-{{id}}" aria-label="Remove label {{name}}">Remove</button></form>{{/canRemove}}</li>{{/labels}}</ul>{{/hasLabels}}
          {{^hasLabels}}<p class="empty" id="no-labels">No labels.</p>{{/hasLabels}}
          {{#canAddLabel}}
          <form method="post" action="{{addLabelAction}}" class="inline-form" id="add-label">
            <input type="hidden" name="csrf_token" value="{{frame.csrf}}">
            <label for="new-label">Label</label>
            <select id="new-label" name="label_id">{{#labelChoices}}<option value="{{value}}">{{label}}</option>{{/labelChoices}}</select>
            <button type="submit" id="add-label-button">Add label</button>
          </form>
          {{/canAddLabel}}
        </section>
        <section class="card" id="tags-section">
          <h2>Tags</h2>
          {{#hasTags}}
          <div class="scroll">
          <table class="list" id="tags">
            <thead><tr><th scope="col">Tag</th><th scope="col">Pull command</th><th scope="col">Push time</th><th scope="col">Pull time</th><th scope="col"><span class="hidden">Actions</span></th></tr></thead>
            <tbody>
            {{#tags}}<tr><td>{{name}}{{#immutable}} <span class="badge" id="immutable-{{name}}">Immutable</span>{{/immutable}}</td><td><code id="tag-command-{{name}}">{{pullCommand}}</code><button type="button" class="copy" hidden data-copy="{{pullCommand}}" data-target="tag-command-{{name}}">Copy</button></td><td>{{pushedShown}}</td><td>{{pulledShown}}</td><td>{{#canDelete}}
              <details class="confirm"><summary>Delete</summary>
                <form method="post" action="{{deleteAction}}"><input type="hidden" name="csrf_token" value="{{frame.csrf}}"><button type="submit" class="danger" name="confirm" value="{{name}}">Delete tag {{name}}</button></form>
              </details>{{/canDelete}}</td></tr>
            {{/tags}}
            </tbody>
          </table>
          </div>
          {{/hasTags}}
          {{^hasTags}}<p class="empty">No tags: pull it by digest.</p>{{/hasTags}}
          {{#canAddTag}}
          <form method="post" action="{{addTagAction}}" class="inline-form" id="add-tag">
            <input type="hidden" name="csrf_token" value="{{frame.csrf}}">
            <label for="new-tag">New tag</label>
            <input id="new-tag" name="tag" required maxlength="128" value="{{draftTag}}" pattern="[A-Za-z0-9_][A-Za-z0-9_.\-]{0,127}">
            <button type="submit" id="add-tag-button">Add tag</button>
          </form>
          {{/canAddTag}}
        </section>
        {{#hasConfig}}
        <section class="card">
          <h2>How it runs</h2>
          <dl class="facts" id="run-config">{{#config}}<dt>{{label}}</dt><dd><code>{{value}}</code></dd>{{/config}}</dl>
        </section>
        {{/hasConfig}}
        {{#hasLayers}}
        <section class="card">
          <h2>Layers</h2>
          <div class="scroll">
          <table class="list" id="layers">
            <thead><tr><th scope="col" class="number">#</th><th scope="col">Digest</th><th scope="col">Media type</th><th scope="col" class="number">Size</th></tr></thead>
            <tbody>{{#layers}}<tr><td class="number">{{number}}</td><td><code title="{{digest}}">{{shortDigest}}</code></td><td>{{mediaType}}</td><td class="number">{{size}}</td></tr>{{/layers}}</tbody>
          </table>
          </div>
        </section>
        {{/hasLayers}}
        <section class="card">
          <h2>Referrers</h2>
          {{#hasReferrers}}
          <div class="scroll">
          <table class="list" id="referrers">
            <thead><tr><th scope="col">Artifact</th><th scope="col">Kind</th><th scope="col">Artifact type</th><th scope="col" class="number">Size</th><th scope="col">Created</th></tr></thead>
            <tbody>{{#referrers}}<tr><td><a href="{{href}}"><code title="{{digest}}">{{shortDigest}}</code></a></td><td>{{kind}}</td><td>{{artifactType}}</td><td class="number">{{size}}</td><td>{{created}}</td></tr>{{/referrers}}</tbody>
          </table>
          </div>
          {{/hasReferrers}}
          {{^hasReferrers}}<p class="empty" id="no-referrers">Nothing refers to this artifact. Signatures, SBOMs and attestations attached to it (<code>cosign</code>, <code>notation</code>, <code>oras attach</code>) appear here.</p>{{/hasReferrers}}
        </section>
        {{#hasChildren}}
        <section class="card">
          <h2>Images in this index</h2>
          <table class="list" id="children">
            <thead><tr><th scope="col">Artifact</th><th scope="col">Platform</th></tr></thead>
            <tbody>{{#children}}<tr><td><a href="{{href}}"><code>{{shortDigest}}</code></a></td><td>{{platform}}</td></tr>{{/children}}</tbody>
          </table>
        </section>
        {{/hasChildren}}
        {{#hasAnnotations}}
        <section class="card">
          <h2>Annotations</h2>
          <dl class="facts" id="annotations">{{#annotations}}<dt>{{label}}</dt><dd>{{value}}</dd>{{/annotations}}</dl>
        </section>
        {{/hasAnnotations}}
        {{#hasHistory}}
        <section class="card">
          <h2>Build history</h2>
          <ol class="history" id="history">{{#history}}<li{{#empty}} class="empty-layer"{{/empty}}><time>{{created}}</time> <code>{{command}}</code></li>{{/history}}</ol>
        </section>
        {{/hasHistory}}
        {{/content}}
        {{/layout}}
        """#

    /// A project's summary with the chart of pushes per day.
    static let summary = #"""
        {{<layout}}
        {{$title}}{{project}} summary{{/title}}
        {{$content}}
        {{>project-tabs}}
        <div class="columns">
        <section class="card">
          <h2>Project</h2>
          <dl class="facts" id="summary-facts">{{#facts}}<dt>{{name}}</dt><dd>{{value}}</dd>{{/facts}}</dl>
          {{#quota}}<h3>Storage quota</h3>
          <div class="progress" id="summary-quota">{{#limited}}<progress max="{{limit}}" value="{{used}}" aria-label="Storage quota used"></progress>{{/limited}}<span id="summary-quota-text">{{text}}</span></div>{{/quota}}
        </section>
        <section class="card">
          <h2>Members</h2>
          <dl class="facts" id="summary-members">{{#members}}<dt>{{name}}</dt><dd>{{value}}</dd>{{/members}}</dl>
        </section>
        </div>
        <section class="card">
          <h2>Artifacts pushed per day</h2>
          <figure class="chart" id="pushes-chart">
            <svg viewBox="0 0 640 180" role="img" aria-labelledby="pushes-title pushes-description" preserveAspectRatio="xMidYMid meet">
              <title id="pushes-title">Artifacts pushed per day</title>
              <desc id="pushes-description">{{chart.description}}</desc>
              <line class="grid" x1="{{chart.plotLeft}}" y1="{{chart.top}}" x2="{{chart.plotRight}}" y2="{{chart.top}}"></line>
              <line class="axis" x1="{{chart.plotLeft}}" y1="{{chart.baseline}}" x2="{{chart.plotRight}}" y2="{{chart.baseline}}"></line>
              <text class="tick" x="{{chart.axisX}}" y="{{chart.top}}" text-anchor="end" dominant-baseline="middle">{{chart.maximum}}</text>
              <text class="tick" x="{{chart.axisX}}" y="{{chart.baseline}}" text-anchor="end" dominant-baseline="middle">0</text>
              {{#chart.bars}}<rect class="bar" x="{{x}}" y="{{y}}" width="{{width}}" height="{{height}}"><title>{{title}}</title></rect>{{/chart.bars}}
              {{#chart.labels}}<text class="tick" x="{{x}}" y="{{chart.labelY}}" text-anchor="{{anchor}}">{{text}}</text>{{/chart.labels}}
            </svg>
            <figcaption id="pushes-caption">{{pushedInPeriod}} pushed in the last {{days}} days (UTC).</figcaption>
          </figure>
        </section>
        {{/content}}
        {{/layout}}
        """#
}
