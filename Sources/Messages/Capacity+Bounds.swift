/// The most an agent may report: beyond any real host, and small enough that the scheduler's
/// sums over every agent and claim stay far inside 64 bits. A heartbeat outside these is
/// refused when it is decoded (a forged `vcpus: -9223372036854775808` is dead-lettered before
/// the scheduler could count with it).
extension Capacity {
    public static let vcpuBounds = 0...65_536
    /// 64 PiB.
    public static let memoryBounds = Size(bytes: 0)...Size(bytes: 1 << 56)
    /// 1 EiB.
    public static let diskBounds = Size(bytes: 0)...Size(bytes: 1 << 60)

    /// The problems of a decoded capacity, each naming its key and the bounds.
    func boundProblems(codingPath: [any CodingKey]) -> [FieldProblem] {
        var problems: [FieldProblem] = []
        if let vcpus, !Self.vcpuBounds.contains(vcpus) {
            problems.append(FieldProblem(codingPath: codingPath + [CodingKeys.vcpus],
                                         message: "\(vcpus) is out of bounds; expected \(Self.vcpuBounds.lowerBound) to \(Self.vcpuBounds.upperBound)"))
        }
        for (key, value, bounds) in [(CodingKeys.memory, memory, Self.memoryBounds), (.disk, disk, Self.diskBounds)] {
            if let value, !bounds.contains(value) {
                problems.append(FieldProblem(codingPath: codingPath + [key],
                                             message: "\(value) is out of bounds; expected \(bounds.lowerBound) to \(bounds.upperBound)"))
            }
        }
        return problems
    }
}
