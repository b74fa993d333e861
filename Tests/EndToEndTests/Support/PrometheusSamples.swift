/// A service's `/metrics` (Prometheus text format) as samples, for checks by name and labels.
struct PrometheusSamples {
    struct Sample {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    let text: String
    let samples: [Sample]

    init(_ text: String) {
        self.text = text
        samples = text.split(separator: "\n").compactMap { line in
            line.hasPrefix("#") ? nil : Self.sample(String(line))
        }
    }

    /// The sum of `name`'s samples whose labels include `labels`; nil when there is none.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        let matching = samples.filter { sample in
            sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value }
        }
        return matching.isEmpty ? nil : matching.reduce(0) { $0 + $1.value }
    }

    /// The lines of the n0core series, histogram buckets left out: what a person reads.
    var domainLines: [String] {
        text.split(separator: "\n").map(String.init).filter { $0.hasPrefix("n0core_") && !$0.contains("_bucket{") }
    }

    /// `name{a="x",b="y"} 1.0`; nil for a line that is not a sample.
    private static func sample(_ line: String) -> Sample? {
        guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { return nil }
        let series = line[..<space]
        guard let open = series.firstIndex(of: "{") else {
            return Sample(name: String(series), labels: [:], value: value)
        }
        var labels: [String: String] = [:]
        var rest = series[series.index(after: open)...].dropLast()
        while let equals = rest.firstIndex(of: "=") {
            let key = rest[..<equals].trimmingCharacters(in: [","])
            rest = rest[rest.index(after: equals)...].dropFirst()
            var label = ""
            var escaped = false
            while let character = rest.first {
                rest = rest.dropFirst()
                if escaped { label.append(character); escaped = false } else if character == "\\" { escaped = true }
                else if character == "\"" { break } else { label.append(character) }
            }
            labels[key] = label
        }
        return Sample(name: String(series[..<open]), labels: labels, value: value)
    }
}
