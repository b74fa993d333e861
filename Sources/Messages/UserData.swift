/// A VM's `user_data`: cloud-init user-data (`#cloud-config …`, a `#!` script, MIME multipart),
/// which the compute agent writes into the guest's seed exactly as given.
///
/// It is the user's business what it holds, so it is treated as a secret: never logged, masked
/// in answers like `vnc_password` (``Object/redacted()``). Its only bound is its size, checked by
/// the API before anything is stored.
public enum UserData {
    /// 16 KiB: room for a cloud-config or a script, far below what a message may carry.
    public static let maximumBytes = 16 << 10

    /// Why `text` cannot be user-data (a phrase that follows the field's name), or nil. The text
    /// itself is never quoted.
    public static func problem(_ text: String) -> String? {
        if text.isEmpty { return "must not be empty; leave it out instead" }
        guard text.utf8.count <= maximumBytes else {
            return "is \(text.utf8.count) bytes long; at most \(maximumBytes) bytes (16 KiB) are allowed"
        }
        if text.unicodeScalars.contains("\u{0}") { return "must not contain NUL characters" }
        return nil
    }
}
