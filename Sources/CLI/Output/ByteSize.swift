/// Sizes as the agents listing shows them: capacity comes as the API's size text (`8gb`),
/// claims as bytes; both are printed in binary units (`7.5G`) so they compare at a glance.
enum ByteSize {
    static let units: [(suffix: String, shift: Int)] = [("tb", 40), ("gb", 30), ("mb", 20), ("kb", 10), ("b", 0)]

    /// Bytes of a size written as a whole number and `b`, `kb`, `mb`, `gb` or `tb` (any case).
    static func bytes(of text: String) -> Int64? {
        let lowered = text.lowercased()
        for unit in units where lowered.hasSuffix(unit.suffix) {
            guard let number = Int64(lowered.dropLast(unit.suffix.count)) else { return nil }
            return number << Int64(unit.shift)
        }
        return Int64(lowered)
    }

    /// `1536` → `1.5K`; whole values without a decimal (`4G`).
    static func format(_ bytes: Int64) -> String {
        let names = ["", "K", "M", "G", "T"]
        var value = Double(bytes)
        var index = 0
        while value >= 1024, index < names.count - 1 {
            value /= 1024
            index += 1
        }
        if value == value.rounded() { return "\(Int64(value))\(names[index])" }
        return "\((value * 10).rounded() / 10)\(names[index])"
    }
}
