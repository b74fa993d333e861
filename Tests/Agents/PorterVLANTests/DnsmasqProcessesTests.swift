import Foundation
import Testing

@testable import PorterVLAN

/// Finding a network's dnsmasq by its command line, on a made-up `/proc`.
@Suite("Porter: finding dnsmasq processes")
struct DnsmasqProcessesTests {
    @Test func findsDnsmasqsByTheirPidFileAndSkipsOthersAndZombies() throws {
        let proc = NSTemporaryDirectory() + "n0core-fake-proc-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: proc) }
        func process(_ pid: Int32, _ words: [String]) throws {
            try FileManager.default.createDirectory(atPath: "\(proc)/\(pid)", withIntermediateDirectories: true)
            let data = Data(words.map { $0 + "\0" }.joined().utf8)
            try data.write(to: URL(fileURLWithPath: "\(proc)/\(pid)/cmdline"))
        }
        let ours = "/state/networks/n1/dnsmasq.pid"
        try process(10, ["/usr/sbin/dnsmasq", "--interface=br-1", "--pid-file=\(ours)"])
        try process(11, ["dnsmasq", "--interface=br-2", "--pid-file=/state/networks/n2/dnsmasq.pid"])
        try process(12, ["dnsmasq", "--pid-file=/elsewhere/dnsmasq.pid"])
        try process(13, ["sh", "-c", "dnsmasq --pid-file=\(ours)"])
        try process(14, [])
        try FileManager.default.createDirectory(atPath: "\(proc)/self", withIntermediateDirectories: true)

        let processes = DnsmasqProcesses(logger: PorterTestEnvironment.logger, procDirectory: proc)
        let found = processes.running(pidFile: ours)
        #expect(found == [DnsmasqProcesses.Running(pid: 10, arguments: ["--interface=br-1", "--pid-file=\(ours)"], pidFile: ours)])
        #expect(processes.all(under: "/state/networks").map(\.pid) == [10, 11])
        #expect(processes.all(under: "/state/networks/").map(\.pid) == [10, 11])
        #expect(processes.isAlive(found[0]))

        // A zombie keeps its pid but has an empty command line; a reused pid has another.
        try Data().write(to: URL(fileURLWithPath: "\(proc)/10/cmdline"))
        #expect(!processes.isAlive(found[0]))
        #expect(processes.running(pidFile: ours).isEmpty)
    }
}
