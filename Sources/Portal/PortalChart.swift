import Foundation

/// A bar chart the template draws as inline SVG (no chart library, no script, nothing but escaped attribute values):
/// one bar per value, scaled to the largest, with a title per bar for pointer and screen-reader users, the largest
/// value and zero on the left axis, and a few labels along the bottom.
struct BarChart: Sendable {
    /// One bar, in the SVG's coordinates.
    struct Bar: Sendable {
        let x: String
        let y: String
        let width: String
        let height: String
        let title: String
    }

    /// A label under the bars.
    struct Label: Sendable {
        let x: String
        let text: String
        let anchor: String
    }

    /// The drawing's size (the SVG scales to its container).
    static let width = 640.0, height = 180.0
    static let left = 44.0, right = 6.0, top = 12.0, bottom = 24.0

    let bars: [Bar]
    let labels: [Label]
    let maximum: String
    let description: String
    let top = String(format: "%.1f", BarChart.top)
    let baseline = String(format: "%.1f", BarChart.height - BarChart.bottom)
    let axisX = String(format: "%.1f", BarChart.left - 6)
    let plotLeft = String(format: "%.1f", BarChart.left)
    let plotRight = String(format: "%.1f", BarChart.width - BarChart.right)
    let labelY = String(format: "%.1f", BarChart.height - 6)

    /// A chart of `values` (label, value), left to right; `title(label, value)` names a bar; `description` says in
    /// words what the chart shows (its accessible description).
    init(_ values: [(label: String, value: Int)], title: (String, Int) -> String, description: String) {
        let plotWidth = Self.width - Self.left - Self.right
        let plotHeight = Self.height - Self.top - Self.bottom
        let largest = max(1, values.map(\.value).max() ?? 0)
        let slot = plotWidth / Double(max(1, values.count))
        let gap = min(4, slot * 0.2)
        func number(_ value: Double) -> String { String(format: "%.1f", value) }
        bars = values.enumerated().map { index, entry in
            let height = entry.value > 0 ? max(2, plotHeight * Double(entry.value) / Double(largest)) : 0
            return Bar(x: number(Self.left + Double(index) * slot + gap / 2), y: number(Self.height - Self.bottom - height),
                       width: number(slot - gap), height: number(height), title: title(entry.label, entry.value))
        }
        // First, middle and last labels: enough to read the time axis, few enough not to collide on a phone.
        let picks = values.count > 2 ? [0, values.count / 2, values.count - 1] : Array(values.indices)
        labels = picks.map { index in
            let anchor = index == 0 ? "start" : index == values.count - 1 ? "end" : "middle"
            let x = anchor == "start" ? Self.left + Double(index) * slot : anchor == "end" ? Self.left + Double(index + 1) * slot
                : Self.left + (Double(index) + 0.5) * slot
            return Label(x: number(x), text: values[index].label, anchor: anchor)
        }
        maximum = String(largest)
        self.description = description
    }
}

/// A ranking drawn as inline SVG: one horizontal bar per entry, largest first, each with its name on the left and its
/// value written after the bar (for comparing a handful of things, such as the storage of the largest projects).
struct RankChart: Sendable {
    /// One entry, in the SVG's coordinates.
    struct Row: Sendable {
        let y: String
        let textY: String
        let name: String
        let width: String
        let valueX: String
        let value: String
        let title: String
    }

    static let width = 640.0, rowHeight = 26.0, barLeft = 170.0, valueRoom = 90.0

    let rows: [Row]
    let height: String
    let barLeft = String(format: "%.1f", RankChart.barLeft)
    let nameX = String(format: "%.1f", RankChart.barLeft - 8)
    let description: String

    /// A chart of `entries` (name, value) in the order given; `shown(value)` writes a value; `description` says in
    /// words what the chart shows.
    init(_ entries: [(name: String, value: Int64)], shown: (Int64) -> String, description: String) {
        let largest = Double(max(1, entries.map(\.value).max() ?? 0))
        let room = Self.width - Self.barLeft - Self.valueRoom
        func number(_ value: Double) -> String { String(format: "%.1f", value) }
        rows = entries.enumerated().map { index, entry in
            let top = Double(index) * Self.rowHeight + 4
            let width = entry.value > 0 ? max(2, room * Double(entry.value) / largest) : 0
            let name = entry.name.count > 24 ? entry.name.prefix(23) + "…" : entry.name
            return Row(y: number(top), textY: number(top + (Self.rowHeight - 8) / 2), name: name, width: number(width),
                       valueX: number(Self.barLeft + width + 6), value: shown(entry.value), title: "\(entry.name): \(shown(entry.value))")
        }
        height = number(max(1, Double(entries.count)) * Self.rowHeight + 8)
        self.description = description
    }
}
