import Messages

/// What a host offers the scheduler, from what it has: the physical figures less what is
/// reserved for the host itself, times the operator's allocation ratios (as OpenStack Nova's
/// `cpu_allocation_ratio`, `ram_allocation_ratio`, `disk_allocation_ratio` and
/// `reserved_host_*`). A ratio above 1 overcommits: 2 cores at 4.0 take 8 vCPUs of guests,
/// which share the cores.
///
/// Pure and total: the arithmetic saturates (a reservation larger than the host leaves
/// nothing, a product past what a heartbeat may carry is cut to ``Capacity``'s bounds) and
/// never traps, whatever the host or the configuration says.
public struct Allocation: Sendable, Hashable {
    /// Ratios are greater than this and at most ``ratioLimit``.
    public static let ratioFloor = 0.0
    public static let ratioLimit = 64.0

    public var cpuRatio: Double
    public var memoryRatio: Double
    public var diskRatio: Double
    public var reservedCPUs: Int
    public var reservedMemory: Size
    public var reservedDisk: Size

    /// Nothing reserved, nothing overcommitted: what the host has is what it offers.
    public static let physical = Allocation()

    public init(cpuRatio: Double = 1, memoryRatio: Double = 1, diskRatio: Double = 1,
                reservedCPUs: Int = 0, reservedMemory: Size = Size(bytes: 0), reservedDisk: Size = Size(bytes: 0)) {
        self.cpuRatio = cpuRatio
        self.memoryRatio = memoryRatio
        self.diskRatio = diskRatio
        self.reservedCPUs = reservedCPUs
        self.reservedMemory = reservedMemory
        self.reservedDisk = reservedDisk
    }

    /// What `physical` offers to guests. Figures `physical` leaves out stay out; memory and
    /// disk are whole MiB, rounded down.
    public func allocatable(_ physical: Capacity) -> Capacity {
        Capacity(
            vcpus: physical.vcpus.map { cpus in
                let left = cpus > reservedCPUs ? cpus - reservedCPUs : 0
                return Int(Self.scale(UInt64(left), by: cpuRatio, limit: UInt64(Capacity.vcpuBounds.upperBound)))
            },
            memory: physical.memory.map { Self.offer($0, less: reservedMemory, ratio: memoryRatio, limit: Capacity.memoryBounds.upperBound) },
            disk: physical.disk.map { Self.offer($0, less: reservedDisk, ratio: diskRatio, limit: Capacity.diskBounds.upperBound) })
    }

    /// True when a reservation takes all of a figure `physical` has: the host then offers none
    /// of it, which start-up logs as a warning.
    public func reservesAll(of physical: Capacity) -> Bool {
        if let cpus = physical.vcpus, reservedCPUs > 0, reservedCPUs >= cpus { return true }
        if let memory = physical.memory, reservedMemory.bytes > 0, reservedMemory >= memory { return true }
        if let disk = physical.disk, reservedDisk.bytes > 0, reservedDisk >= disk { return true }
        return false
    }

    static func offer(_ size: Size, less reserved: Size, ratio: Double, limit: Size) -> Size {
        let left = size.bytes > reserved.bytes ? size.bytes - reserved.bytes : 0
        let bytes = scale(left, by: ratio, limit: limit.bytes)
        return Size(bytes: bytes - bytes % Size.Unit.mb.bytes)
    }

    /// `value × ratio`, rounded down, within `0...limit`; a ratio that is not a positive finite
    /// number gives 0.
    static func scale(_ value: UInt64, by ratio: Double, limit: UInt64) -> UInt64 {
        guard ratio.isFinite, ratio > 0 else { return 0 }
        let product = (Double(value) * ratio).rounded(.down)
        guard product < Double(limit) else { return limit }
        return min(UInt64(product), limit)
    }
}
