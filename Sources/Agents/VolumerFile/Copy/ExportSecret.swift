import Crypto
import Foundation
import ServiceSupport

/// The secret every volumer of a cloud shares (`volumer.export_secret_file`), the key of the
/// ``ExportToken``s one volumer shows another to copy a volume. Never printed: its description,
/// debug description and mirror say only that it is redacted, so a log line or a test failure
/// that shows a configuration cannot leak it.
public struct ExportSecret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Shorter secrets are refused: HMAC-SHA256 wants a key of at least its output's size.
    public static let minimumBytes = 32

    private let bytes: [UInt8]

    init?(bytes: [UInt8]) {
        guard bytes.count >= Self.minimumBytes else { return nil }
        self.bytes = bytes
    }

    var key: SymmetricKey { SymmetricKey(data: bytes) }

    public var description: String { "ExportSecret(redacted)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [:]) }

    /// Reads the secret from `path`, which must belong to its owner only, as the setting `key`.
    /// Trailing white space (the newline of `openssl rand -hex 32 > file`) is not part of it.
    /// - Throws: ``ConfigurationError`` naming `key`, never quoting the file's content.
    static func load(path: String, key: String) throws -> ExportSecret {
        guard path.hasPrefix("/") else {
            throw ConfigurationError.invalid(key: key, value: path, expected: "an absolute path")
        }
        var status = stat()
        guard stat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            throw ConfigurationError.invalid(key: key, value: path, expected: "a readable regular file holding the shared secret")
        }
        guard status.st_mode & 0o077 == 0 else {
            throw ConfigurationError.invalid(key: key, value: path, expected: String(
                format: "a file readable by its owner only (it is %o; chmod 600 it)", status.st_mode & 0o777))
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError.invalid(key: key, value: path, expected: "a file this user can read")
        }
        var content = Array(data)
        while let last = content.last, [0x0A, 0x0D, 0x20, 0x09].contains(last) { content.removeLast() }
        guard let secret = ExportSecret(bytes: content) else {
            throw ConfigurationError.invalid(key: key, value: path, expected: "a secret of at least \(minimumBytes) bytes "
                + "(e.g. made with openssl rand -hex 32), the same on every volumer")
        }
        return secret
    }
}
