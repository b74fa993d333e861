import Messages

/// An amount of the capacity the scheduler accounts for: what an agent offers (vcpus and memory
/// for compute, disk for volumers), what it has promised, and what an object needs.
public struct Resources: Sendable, Hashable {
    public var vcpus: Int
    public var memoryBytes: Int64
    public var diskBytes: Int64

    public static let zero = Resources()

    public init(vcpus: Int = 0, memoryBytes: Int64 = 0, diskBytes: Int64 = 0) {
        self.vcpus = vcpus
        self.memoryBytes = memoryBytes
        self.diskBytes = diskBytes
    }

    /// What an agent reports; a missing figure offers nothing, and so does a negative one
    /// (heartbeats are held to ``Capacity/vcpuBounds`` when decoded; this holds for any other).
    public init(capacity: Capacity?) {
        self.init(
            vcpus: max(capacity?.vcpus ?? 0, 0),
            memoryBytes: Int64(clamping: capacity?.memory?.bytes ?? 0),
            diskBytes: Int64(clamping: capacity?.disk?.bytes ?? 0))
    }

    public var isZero: Bool { self == .zero }

    /// True when a figure is below zero: no object can need, and no agent offer, less than nothing.
    public var hasNegative: Bool {
        vcpus < 0 || memoryBytes < 0 || diskBytes < 0
    }

    /// True when every figure of `self` is at most the same figure of `other`.
    public func fits(in other: Resources) -> Bool {
        vcpus <= other.vcpus && memoryBytes <= other.memoryBytes && diskBytes <= other.diskBytes
    }

    /// Sums and differences saturate at the ends of 64 bits instead of trapping: whatever an agent
    /// or a message claims, the scheduler's arithmetic cannot take the process down, and a
    /// saturated figure compares as the huge amount it stands for.
    public static func + (a: Resources, b: Resources) -> Resources {
        Resources(vcpus: saturating(a.vcpus, b.vcpus, Int.addingReportingOverflow),
                  memoryBytes: saturating(a.memoryBytes, b.memoryBytes, Int64.addingReportingOverflow),
                  diskBytes: saturating(a.diskBytes, b.diskBytes, Int64.addingReportingOverflow))
    }

    public static func - (a: Resources, b: Resources) -> Resources {
        Resources(vcpus: saturating(a.vcpus, b.vcpus, Int.subtractingReportingOverflow),
                  memoryBytes: saturating(a.memoryBytes, b.memoryBytes, Int64.subtractingReportingOverflow),
                  diskBytes: saturating(a.diskBytes, b.diskBytes, Int64.subtractingReportingOverflow))
    }

    /// `operation(a)(b)`, or the end of the range it overflowed past (the sign of `a` says which:
    /// only a non-negative `a` can overflow upwards, only a negative one downwards).
    private static func saturating<Integer: FixedWidthInteger & SignedInteger>(
        _ a: Integer, _ b: Integer, _ operation: (Integer) -> (Integer) -> (partialValue: Integer, overflow: Bool)
    ) -> Integer {
        let (value, overflow) = operation(a)(b)
        guard overflow else { return value }
        return a >= 0 ? .max : .min
    }

    /// The smallest share of `capacity` that `self` is, over the figures `capacity` reports
    /// (1 when it reports none, as a porter's). Never larger for less: a host's score with a
    /// demand is bounded by its share without one, which ``HostIndex`` ranks hosts by.
    func share(of capacity: Resources) -> Double {
        var share = 1.0
        if capacity.vcpus > 0 { share = min(share, Double(vcpus) / Double(capacity.vcpus)) }
        if capacity.memoryBytes > 0 { share = min(share, Double(memoryBytes) / Double(capacity.memoryBytes)) }
        if capacity.diskBytes > 0 { share = min(share, Double(diskBytes) / Double(capacity.diskBytes)) }
        return share
    }

    public static func += (a: inout Resources, b: Resources) { a = a + b }
    public static func -= (a: inout Resources, b: Resources) { a = a - b }

    /// The figures that are not zero, as a person reads them: `2 vcpus and 4gb memory`,
    /// `10gb disk`; empty for nothing.
    public var description: String {
        var parts: [String] = []
        if vcpus != 0 { parts.append(vcpus == 1 ? "1 vcpu" : "\(vcpus) vcpus") }
        if memoryBytes != 0 { parts.append("\(Self.size(memoryBytes)) memory") }
        if diskBytes != 0 { parts.append("\(Self.size(diskBytes)) disk") }
        switch parts.count {
        case 0: return ""
        case 1: return parts[0]
        default: return parts.dropLast().joined(separator: ", ") + " and " + parts.last!
        }
    }

    /// `4gb`, as sizes are written in specs; negative amounts (an overcommitted agent) keep
    /// their sign.
    static func size(_ bytes: Int64) -> String {
        bytes < 0 ? "-" + Size(bytes: bytes.magnitude).description : Size(bytes: UInt64(bytes)).description
    }
}

extension Object {
    /// What the object takes from its agent while it exists: a VM its vcpus and memory, a
    /// volume its size on disk. NICs and networks take nothing the scheduler accounts for.
    public var demand: Resources {
        switch type {
        case .vmKVM: Resources(vcpus: vcpus ?? 0, memoryBytes: Int64(clamping: memory?.bytes ?? 0))
        case .volumeFile: Resources(diskBytes: Int64(clamping: size?.bytes ?? 0))
        default: .zero
        }
    }

    /// True when the object is being removed (`deleted`, or `destroyed` for volumes): it goes to
    /// the agents it is on, and its claim is released.
    public var isBeingRemoved: Bool {
        desiredState == "deleted" || desiredState == "destroyed"
    }
}
