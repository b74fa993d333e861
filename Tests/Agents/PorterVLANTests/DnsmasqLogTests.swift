import Foundation
import Testing

@testable import PorterVLAN

/// Reading dnsmasq's own account of its hosts file, on lines as dnsmasq 2.90 writes them.
@Suite("Porter: what dnsmasq's log says about the reservations")
struct DnsmasqLogTests {
    static let hosts = "/state/networks/n1/dnsmasq.hosts"

    @Test func aReadByThatProcessIsTheReport() {
        let text = """
            Dec  2 08:45:05 dnsmasq[5067]: started, version 2.90 DNS disabled
            Dec  2 08:45:05 dnsmasq-dhcp[5067]: DHCP, IP range 192.168.0.1 -- 192.168.0.127, lease time 1h
            Dec  2 08:45:09 dnsmasq-dhcp[5067]: read \(Self.hosts)

            """
        #expect(HostsFileReport.find(in: text, hostsFile: Self.hosts, pid: 5067) == .read)
        #expect(HostsFileReport.find(in: text, hostsFile: Self.hosts, pid: 4000) == nil, "another process's read")
        #expect(HostsFileReport.find(in: text, hostsFile: "/state/networks/n2/dnsmasq.hosts", pid: 5067) == nil,
                "another network's file")
        #expect(HostsFileReport.find(in: "Dec  2 08:45:05 dnsmasq[5067]: started\n", hostsFile: Self.hosts, pid: 5067) == nil,
                "nothing said yet")
    }

    @Test func aFileItCannotReadIsReportedWithTheSystemsReason() {
        let text = "Dec  2 08:45:05 dnsmasq[5067]: cannot read \(Self.hosts): Permission denied\n"
        #expect(HostsFileReport.find(in: text, hostsFile: Self.hosts, pid: 5067) == .unreadable(reason: "Permission denied"))
    }

    @Test func linesItRefusedComeWithTheRead() {
        let text = """
            Dec  2 08:45:09 dnsmasq[5067]: bad DHCP host name at line 3 of \(Self.hosts)
            Dec  2 08:45:09 dnsmasq-dhcp[5067]: read \(Self.hosts)

            """
        #expect(HostsFileReport.find(in: text, hostsFile: Self.hosts, pid: 5067)
            == .readWithErrors(["bad DHCP host name at line 3 of \(Self.hosts)"]))
    }

    @Test func theLogFileIsReadFromWhereItEndedBefore() throws {
        let path = NSTemporaryDirectory() + "n0core-dnsmasq-log-\(UUID().uuidString).log"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let log = DnsmasqLogFile(path: path)
        #expect(log.end() == 0, "no file yet")
        try "old line\n".write(toFile: path, atomically: false, encoding: .utf8)
        let offset = log.end()
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data("new line\n".utf8))
        try handle.close()
        #expect(log.text(from: offset) == "new line\n")
        try "x\n".write(toFile: path, atomically: false, encoding: .utf8)
        #expect(log.text(from: offset) == "x\n", "a file truncated since is read from its start")
    }

    @Test func theDirectoryThatKeepsOthersOutIsNamed() {
        #expect(DirectorySearch.directories(above: "/var/lib/n0/networks/x/dnsmasq.hosts")
            == ["/", "/var", "/var/lib", "/var/lib/n0", "/var/lib/n0/networks", "/var/lib/n0/networks/x"])
        let modes: [String: mode_t] = ["/": 0o755, "/var": 0o755, "/var/lib": 0o755, "/var/lib/n0": 0o700,
                                       "/var/lib/n0/networks": 0o755]
        #expect(DirectorySearch.firstBlocked(above: "/var/lib/n0/networks/hosts", mode: { modes[$0] }) == "/var/lib/n0")
        #expect(DirectorySearch.firstBlocked(above: "/var/lib/hosts", mode: { modes[$0] }) == nil)
        #expect(DirectorySearch.firstBlocked(above: "/nowhere/hosts", mode: { modes[$0] }) == "/nowhere",
                "a directory that cannot be looked at is named too")
    }
}
