import Foundation

/// Documents an attacker with an API token sends (issue 15), shared by the codec's unit tests and
/// the API's integration tests.
public enum HostileDocuments {
    /// The alias bomb: a VM written once as `&l0`, then nine levels each merging (`<<:`) ten
    /// aliases of the level below, and `web` merging the last. Read naively, the last level
    /// stands for 10⁹ copies of the first; the 2.2 KB text took the API's RSS from 52 MB past
    /// 340 MB with no answer after 40 s before documents were checked for anchors.
    public static let aliasBomb: String = {
        var lines = ["version: 0", "spec:", "  l0: &l0", "    type: resource/vm/kvm", "    arch: amd64", "    vcpus: 2",
                     "    memory: 4gb", "    vnc_password: hogehoge",
                     "    cmdline: console=ttyS0 quiet loglevel=3 panic=1 root=/dev/vda1 rw init=/sbin/init net.ifnames=0"]
        for level in 1...9 {
            lines += ["  l\(level): &l\(level)", "    <<:"]
            lines += Array(repeating: "      - *l\(level - 1)", count: 10)
            lines.append("    name: level-\(level)-of-the-anchors-each-merging-ten-copies-of-the-level-below-it")
        }
        lines += ["  web:", "    <<: *l9", "    name: web"]
        return lines.joined(separator: "\n") + "\n"
    }()

    /// `levels` lists inside one another, in YAML's (and JSON's) flow style: `[[[…]]]`.
    public static func nestedLists(_ levels: Int) -> String {
        String(repeating: "[", count: levels) + String(repeating: "]", count: levels)
    }

    /// A JSON spec document whose `annotations` value opens `levels` objects deep.
    public static func deepJSON(_ levels: Int) -> String {
        #"{"spec": {"a": {"type": "resource/nic", "x": "# + String(repeating: #"{"a":"#, count: levels) + "1"
            + String(repeating: "}", count: levels) + "}}}"
    }

    /// A YAML spec document whose `spec` opens `levels` block mappings deep, by indentation.
    public static func deepBlockYAML(_ levels: Int) -> String {
        var text = "spec:\n"
        for level in 1...levels {
            text += String(repeating: " ", count: level * 2) + "k:\n"
        }
        return text + String(repeating: " ", count: (levels + 1) * 2) + "x\n"
    }

    /// The seed's spec with the VM's name a `bytes`-long string.
    public static func hugeName(bytes: Int) -> String {
        SeedDocuments.submittedSpec.replacingOccurrences(
            of: "    vcpus: 2\n", with: "    vcpus: 2\n    name: " + String(repeating: "x", count: bytes) + "\n")
    }

    /// The seed's spec with `original` replaced; traps when `original` is not in it.
    public static func seed(replacing original: String, with replacement: String) -> String {
        let text = SeedDocuments.submittedSpec.replacingOccurrences(of: original, with: replacement)
        precondition(text != SeedDocuments.submittedSpec, "'\(original)' is not in the seed's spec")
        return text
    }
}
