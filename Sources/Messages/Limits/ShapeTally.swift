/// Counts what a scanner meets, against ``DocumentLimits``: values, nesting, and the keys of
/// each open mapping. The same for JSON and YAML, so both formats are held to the same numbers.
struct ShapeTally {
    let limits: DocumentLimits
    private(set) var nodes = 0
    /// The open mappings and lists, innermost last, with the values each holds so far (a
    /// mapping's keys and values both count: `n` of them make `(n + 1) / 2` keys).
    private var open: [(isMapping: Bool, children: Int)] = []

    init(limits: DocumentLimits) {
        self.limits = limits
        open.reserveCapacity(min(limits.maxNesting, 64) + 1)
    }

    /// A value begins (a scalar, a key, or a mapping or list about to open).
    mutating func value() -> DocumentLimit? {
        nodes += 1
        if nodes > limits.maxNodes { return .nodes }
        guard !open.isEmpty else { return nil }
        open[open.count - 1].children += 1
        let top = open[open.count - 1]
        if top.isMapping && (top.children + 1) / 2 > limits.maxMappingKeys { return .mappingKeys }
        return nil
    }

    /// A mapping or list opens (after ``value()`` counted it).
    mutating func enter(mapping: Bool) -> DocumentLimit? {
        open.append((mapping, 0))
        return open.count > limits.maxNesting ? .nesting : nil
    }

    /// The innermost mapping or list closes (a stray close of malformed JSON is left to the decoder).
    mutating func leave() {
        if !open.isEmpty { open.removeLast() }
    }
}
