import Crypto
import Foundation
import Messages

/// The bearer token one volumer shows another's export server to copy one volume:
/// `<expiry unix seconds>.<hex HMAC-SHA256(secret, "n0core-volume-export\n<volume id>\n<expiry>")>`.
///
/// Bound to one volume and a short time, and made from the cloud's shared ``ExportSecret``, so
/// only a volumer of this cloud can read a volume, only the one it names, and a token seen on
/// the network is worth ten minutes at most. The exporter also refuses expiries more than
/// ``maximumAhead`` away, so a token minted with a wrong clock or a long life is not accepted.
enum ExportToken {
    /// How long an importer's token stays good: enough for retries while a VM stops.
    static let lifetime: TimeInterval = 600
    /// The furthest expiry an exporter accepts.
    static let maximumAhead: TimeInterval = 3600

    static func mint(volume: ObjectID, secret: ExportSecret, now: Date = Date(), lifetime: TimeInterval = lifetime) -> String {
        let expiry = Int64((now.timeIntervalSince1970 + lifetime).rounded(.down))
        let code = HMAC<SHA256>.authenticationCode(for: message(volume: volume, expiry: expiry), using: secret.key)
        return "\(expiry).\(hex(Array(code)))"
    }

    /// Whether `token` lets its holder read `volume` now. Says nothing about why not: the
    /// exporter answers every refusal alike.
    static func verify(_ token: String, volume: ObjectID, secret: ExportSecret, now: Date = Date()) -> Bool {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count <= 19, parts[0].allSatisfy(\.isASCII), parts[0].allSatisfy(\.isNumber),
              let expiry = Int64(parts[0]), let code = bytes(hex: parts[1]), code.count == SHA256.byteCount
        else { return false }
        let seconds = now.timeIntervalSince1970
        guard TimeInterval(expiry) >= seconds, TimeInterval(expiry) - seconds <= maximumAhead else { return false }
        // Constant time: the comparison does not tell how much of a forged code was right.
        return HMAC<SHA256>.isValidAuthenticationCode(code, authenticating: message(volume: volume, expiry: expiry),
                                                      using: secret.key)
    }

    static func message(volume: ObjectID, expiry: Int64) -> Data {
        Data("n0core-volume-export\n\(volume.description.lowercased())\n\(expiry)".utf8)
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    static func bytes(hex text: Substring) -> [UInt8]? {
        guard text.count % 2 == 0 else { return nil }
        var result: [UInt8] = []
        result.reserveCapacity(text.count / 2)
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            guard let byte = UInt8(text[index..<next], radix: 16) else { return nil }
            result.append(byte)
            index = next
        }
        return result
    }
}
