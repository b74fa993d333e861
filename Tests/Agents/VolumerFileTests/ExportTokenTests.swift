import Foundation
import Messages
import Testing

@testable import VolumerFile

/// The bearer token of volume copies: bound to one volume, one secret and a short time.
@Suite struct ExportTokenTests {
    let secret = ExportSecret(bytes: Array("0123456789abcdef0123456789abcdef".utf8))!
    let other = ExportSecret(bytes: Array("fedcba9876543210fedcba9876543210".utf8))!
    let volume = ObjectID("8bce7696-f641-411c-a0ce-6ed066d912a3")!
    let now = Date(timeIntervalSince1970: 1_700_000_000)

    @Test func aMintedTokenVerifiesForItsVolumeOnly() throws {
        let token = ExportToken.mint(volume: volume, secret: secret, now: now)
        let parts = token.split(separator: ".")
        #expect(parts.count == 2)
        #expect(parts[0] == "1700000600", "valid for ten minutes")
        #expect(parts[1].count == 64 && parts[1].allSatisfy(\.isHexDigit))
        #expect(ExportToken.verify(token, volume: volume, secret: secret, now: now))
        #expect(ExportToken.verify(token, volume: volume, secret: secret, now: now.addingTimeInterval(599)))
        #expect(!ExportToken.verify(token, volume: ObjectID(), secret: secret, now: now))
    }

    /// The code is HMAC-SHA256 of the documented message, so another implementation can mint one.
    @Test func theCodeIsTheDocumentedHMAC() {
        let token = ExportToken.mint(volume: volume, secret: secret, now: now)
        // python3 -c 'import hmac,hashlib; print(hmac.new(b"0123456789abcdef0123456789abcdef",
        //   b"n0core-volume-export\n8bce7696-f641-411c-a0ce-6ed066d912a3\n1700000600", hashlib.sha256).hexdigest())'
        #expect(token == "1700000600.36ae1a929a11ab418f97d34cba27c6f8c62caeb94dcd629138f538cccc607025")
    }

    @Test func anExpiredTokenOrOneTooFarAheadIsRefused() {
        let token = ExportToken.mint(volume: volume, secret: secret, now: now)
        #expect(!ExportToken.verify(token, volume: volume, secret: secret, now: now.addingTimeInterval(601)))
        let longLived = ExportToken.mint(volume: volume, secret: secret, now: now, lifetime: 2 * 3600)
        #expect(!ExportToken.verify(longLived, volume: volume, secret: secret, now: now), "more than an hour ahead")
        #expect(ExportToken.verify(longLived, volume: volume, secret: secret, now: now.addingTimeInterval(3600)))
    }

    @Test func aTamperedTokenOrAnotherSecretIsRefused() {
        let token = ExportToken.mint(volume: volume, secret: secret, now: now)
        #expect(!ExportToken.verify(token, volume: volume, secret: other, now: now))
        #expect(!ExportToken.verify(ExportToken.mint(volume: volume, secret: other, now: now), volume: volume, secret: secret, now: now))
        var flipped = Array(token)
        flipped[flipped.count - 1] = flipped.last == "0" ? "1" : "0"
        #expect(!ExportToken.verify(String(flipped), volume: volume, secret: secret, now: now))
        // A later expiry with the old code: the expiry is part of what is signed.
        let code = token.split(separator: ".")[1]
        #expect(!ExportToken.verify("1700000900.\(code)", volume: volume, secret: secret, now: now))
        for malformed in ["", ".", "1700000600", "1700000600.", ".\(code)", "1700000600.\(code)00", "1700000600.\(code.dropLast())",
                          "1700000600.\(code.uppercased().replacingOccurrences(of: "A", with: "G"))", "-1.\(code)",
                          "17000006000000000000000.\(code)", "1700000600.\(code).x"] {
            #expect(!ExportToken.verify(malformed, volume: volume, secret: secret, now: now), "\(malformed)")
        }
    }

    @Test func theSecretIsNeverPrinted() {
        for text in ["\(secret)", String(reflecting: secret), "\(VolumeExportSettings(secret: secret))"] {
            #expect(!text.contains("0123456789abcdef"), "\(text)")
        }
        #expect(ExportSecret(bytes: Array(repeating: 1, count: 31)) == nil, "shorter than 32 bytes")
    }
}
