/// Disjoint sets of ids: objects that must share a host end up in one set.
struct UnionFind<Element: Hashable> {
    private var parent: [Element: Element] = [:]

    mutating func insert(_ element: Element) {
        if parent[element] == nil { parent[element] = element }
    }

    mutating func root(_ element: Element) -> Element {
        insert(element)
        var current = element
        while let next = parent[current], next != current { current = next }
        // Path compression keeps later look-ups short.
        var walker = element
        while let next = parent[walker], next != current {
            parent[walker] = current
            walker = next
        }
        return current
    }

    mutating func union(_ a: Element, _ b: Element) {
        let rootA = root(a), rootB = root(b)
        if rootA != rootB { parent[rootB] = rootA }
    }
}
