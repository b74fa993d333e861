/// A VM's `hostname`: what the guest calls itself, given to it by the cloud-init seed.
///
/// Letters, digits and `-` in `.`-separated labels of 1 to 63 characters that neither start nor
/// end with `-` (RFC 1123), at most ``maximumLength`` characters in all: what `hostname(1)`,
/// cloud-init and the guest image's reader all accept. Checked by the API (a 4xx) and again by the
/// compute agent, so nothing in it can break the seed's YAML.
public enum HostName {
    /// A Linux host name has at most 64 bytes; 63 keeps it one DNS label long at most when
    /// it has no dots.
    public static let maximumLength = 63

    /// Why `text` is not a host name (a phrase that follows the field's name), or nil.
    public static func problem(_ text: String) -> String? {
        if text.isEmpty { return "must not be empty" }
        guard text.utf8.count <= maximumLength else {
            return "is \(text.utf8.count) characters long; at most \(maximumLength) are allowed"
        }
        guard text.unicodeScalars.allSatisfy({ isLabelCharacter($0) || $0 == "." }) else {
            return "may hold only ASCII letters, digits, '-' and '.' (e.g. web-1 or web-1.example.org)"
        }
        for label in text.split(separator: ".", omittingEmptySubsequences: false) {
            if label.isEmpty { return "has an empty label (a leading, trailing or doubled '.')" }
            if label.hasPrefix("-") || label.hasSuffix("-") { return "has a label that starts or ends with '-'" }
        }
        return nil
    }

    /// A host name made from an object's name, for a VM that gives no `hostname`: lowercase,
    /// every run of other characters turned into one `-`, trimmed to ``maximumLength``; nil
    /// when nothing usable is left (a name of only symbols or of another script).
    public static func derived(from name: String) -> String? {
        var result = ""
        var pendingDash = false
        for scalar in name.lowercased().unicodeScalars {
            if isLabelCharacter(scalar) && scalar != "-" {
                if pendingDash && !result.isEmpty { result += "-" }
                pendingDash = false
                result.unicodeScalars.append(scalar)
            } else {
                pendingDash = true
            }
        }
        while result.utf8.count > maximumLength || result.hasSuffix("-") {
            result.removeLast()
        }
        return result.isEmpty ? nil : result
    }

    private static func isLabelCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "-": true
        default: false
        }
    }
}
