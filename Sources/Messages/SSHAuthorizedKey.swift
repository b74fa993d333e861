import Foundation

/// One line of a VM's `ssh_authorized_keys`: an OpenSSH public key as `ssh-keygen` writes it,
/// `TYPE BASE64 [COMMENT]` (e.g. `ssh-ed25519 AAAAC3Nz… me@laptop`).
///
/// The key is decoded and must name its own type (a truncated or pasted-wrong key is refused
/// here, not found out at the first login); the comment is printable ASCII without quotes or
/// backslashes. Options before the type (`command="…"`, `from=…`) are not accepted. Checked by
/// the API (a 4xx) and again by the compute agent, so nothing in a key can break the seed's YAML.
public enum SSHAuthorizedKey {
    /// Keys in one VM's list.
    public static let maximumCount = 32
    /// Bytes in one line: an RSA key of 16384 bits is about 2,800.
    public static let maximumLength = 8 << 10

    /// Why `line` is not a public key line (a phrase that follows the field's name), or nil.
    /// Only the type is ever quoted back.
    public static func problem(_ line: String) -> String? {
        if line.isEmpty { return "is empty; give a public key line such as 'ssh-ed25519 AAAA… me@host'" }
        guard line.utf8.count <= maximumLength else {
            return "is \(line.utf8.count) bytes long; at most \(maximumLength) are allowed"
        }
        guard line.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x20 && $0.value != 0x7f }) else {
            return "must be one line of printable ASCII (no newlines or control characters)"
        }
        let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, let type = parts.first.map(String.init), isKeyType(type) else {
            return "does not start with a key type (ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256, sk-…); "
                + "give a public key line as ssh-keygen writes it, without options"
        }
        let encoded = parts[1]
        guard !encoded.isEmpty, encoded.unicodeScalars.allSatisfy(isBase64),
              let blob = Data(base64Encoded: String(encoded)) else {
            return "has a key that is not base64; is the line complete?"
        }
        guard embeddedType(blob) == type else {
            return "holds a key that is not a \(type) key (truncated or mixed up?)"
        }
        if parts.count == 3, parts[2].contains(where: { $0 == "\"" || $0 == "\\" }) {
            return "has a comment with a quote or backslash; leave them out"
        }
        return nil
    }

    /// The key type a public key blob starts with: a 32-bit big-endian length and the name.
    static func embeddedType(_ blob: Data) -> String? {
        let bytes = [UInt8](blob)
        guard bytes.count >= 4 else { return nil }
        let length = bytes[0..<4].reduce(0) { $0 << 8 | Int($1) }
        guard length > 0, length <= 64, bytes.count >= 4 + length else { return nil }
        return String(bytes: bytes[4..<(4 + length)], encoding: .ascii)
    }

    static func isKeyType(_ type: String) -> Bool {
        guard type.count <= 64, type.unicodeScalars.allSatisfy({
            ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "@" || $0 == "."
        }) else { return false }
        return type.hasPrefix("ssh-") || type.hasPrefix("ecdsa-sha2-") || type.hasPrefix("sk-")
    }

    static func isBase64(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "A"..."Z", "a"..."z", "0"..."9", "+", "/", "=": true
        default: false
        }
    }
}
