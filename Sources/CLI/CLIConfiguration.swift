import Foundation
import Yams

/// Where the API is and the token to send it. Each value comes from the first place that has
/// it: a flag (`--api-url`, `--token`), the environment (`N0CORE_API_URL`, `N0CORE_API_TOKEN`),
/// the configuration file (`api_url`, `token`), then the default.
public struct CLIConfiguration: Sendable, Equatable, CustomStringConvertible {
    public static let defaultAPIURL = "http://127.0.0.1:8080"

    public var apiURL: URL
    /// Sent as `Authorization: Bearer`; never printed (``description`` says only whether it is set).
    public var token: String?

    public var description: String {
        "api_url: \(apiURL.absoluteString), token: \(token == nil ? "not set" : "set")"
    }

    /// What the command line said; nil for a flag not given.
    public struct Flags: Sendable {
        public var apiURL: String?
        public var token: String?
        /// `--config PATH`: must exist when given. Without it the default path is read if present.
        public var configPath: String?

        public init(apiURL: String? = nil, token: String? = nil, configPath: String? = nil) {
            self.apiURL = apiURL
            self.token = token
            self.configPath = configPath
        }
    }

    /// - Parameter readFile: the file's text, or nil when it does not exist.
    public static func resolve(flags: Flags, environment: [String: String],
                               readFile: (String) throws -> String?) throws -> CLIConfiguration {
        let file = try ConfigFile.load(flags: flags, environment: environment, readFile: readFile)
        let env = { (name: String) -> String? in environment[name].flatMap { $0.isEmpty ? nil : $0 } }

        let url: (text: String, source: String)
        if let flag = flags.apiURL { url = (flag, "--api-url") }
        else if let value = env("N0CORE_API_URL") { url = (value, "N0CORE_API_URL") }
        else if let file, let value = file.apiURL { url = (value, "api_url in \(file.path)") }
        else { url = (defaultAPIURL, "the default") }

        let token = flags.token ?? env("N0CORE_API_TOKEN") ?? file?.token
        return CLIConfiguration(apiURL: try parseURL(url.text, source: url.source), token: token)
    }

    /// `$XDG_CONFIG_HOME/n0core/cli.yaml`, else `~/.config/n0core/cli.yaml`; nil without either variable.
    public static func defaultConfigPath(environment: [String: String]) -> String? {
        if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty { return xdg + "/n0core/cli.yaml" }
        if let home = environment["HOME"], !home.isEmpty { return home + "/.config/n0core/cli.yaml" }
        return nil
    }

    static func parseURL(_ text: String, source: String) throws -> URL {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(),
              scheme == "http" || scheme == "https", url.host != nil else {
            throw CLIFailure(.usage, "the API URL '\(text)' (from \(source)) is not an http:// or https:// URL")
        }
        return url
    }
}

/// The configuration file's two keys. An unknown key is an error, so a misspelt `apiurl` is not
/// silently ignored in favour of the default.
struct ConfigFile {
    var path: String
    var apiURL: String?
    var token: String?

    static let keys = ["api_url", "token"]

    static func load(flags: CLIConfiguration.Flags, environment: [String: String],
                     readFile: (String) throws -> String?) throws -> ConfigFile? {
        let path: String
        if let given = flags.configPath {
            path = given
        } else if let found = CLIConfiguration.defaultConfigPath(environment: environment) {
            path = found
        } else {
            return nil
        }
        guard let text = try readFile(path) else {
            if flags.configPath != nil { throw CLIFailure(.usage, "the configuration file \(path) does not exist") }
            return nil
        }
        return try parse(text, path: path)
    }

    static func parse(_ text: String, path: String) throws -> ConfigFile {
        var file = ConfigFile(path: path)
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return file }
        let values: [String: String]
        do {
            values = try YAMLDecoder().decode([String: String].self, from: text)
        } catch {
            throw CLIFailure(.usage, "the configuration file \(path) is not a YAML mapping of \(keys.joined(separator: " and ")) to strings")
        }
        for key in values.keys.sorted() where !keys.contains(key) {
            throw CLIFailure(.usage, "unknown key '\(key)' in \(path); the keys are \(keys.joined(separator: ", "))")
        }
        file.apiURL = values["api_url"]
        file.token = values["token"]
        return file
    }
}
