/// MAC addresses the scheduler gives NICs that have none: `52:54:00:xx:xx:xx`, the range QEMU
/// guests use (locally administered, unicast), as design §4 asks.
public enum HardwareAddress {
    public static let prefix = "52:54:00"

    /// A random address in the range; the caller makes it unique against the graph.
    public static func random<G: RandomNumberGenerator>(using generator: inout G) -> String {
        let tail = (0..<3).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return prefix + tail.map { byte in
            ":" + (byte < 16 ? "0" : "") + String(byte, radix: 16)
        }.joined()
    }
}
