import Testing
@testable import CLI

@Suite struct CLIConfigurationTests {
    let file = "api_url: http://file.example:8080\ntoken: from-file\n"

    func resolve(_ flags: CLIConfiguration.Flags = .init(), environment: [String: String] = [:],
                 files: [String: String] = [:]) throws -> CLIConfiguration {
        try CLIConfiguration.resolve(flags: flags, environment: environment, readFile: { files[$0] })
    }

    @Test func defaultsWithNothingGiven() throws {
        let configuration = try resolve(environment: ["HOME": "/home/u"])
        #expect(configuration.apiURL.absoluteString == "http://127.0.0.1:8080")
        #expect(configuration.token == nil)
    }

    @Test func fileAtTheXDGPathThenHome() throws {
        let xdg = try resolve(environment: ["XDG_CONFIG_HOME": "/x", "HOME": "/home/u"], files: ["/x/n0core/cli.yaml": file])
        #expect(xdg.apiURL.absoluteString == "http://file.example:8080")
        #expect(xdg.token == "from-file")
        let home = try resolve(environment: ["HOME": "/home/u"], files: ["/home/u/.config/n0core/cli.yaml": file])
        #expect(home.token == "from-file")
    }

    @Test func environmentOverridesTheFileAndFlagsOverrideBoth() throws {
        let environment = ["HOME": "/h", "N0CORE_API_URL": "http://env.example", "N0CORE_API_TOKEN": "from-env"]
        let files = ["/h/.config/n0core/cli.yaml": file]
        let fromEnvironment = try resolve(environment: environment, files: files)
        #expect(fromEnvironment.apiURL.absoluteString == "http://env.example")
        #expect(fromEnvironment.token == "from-env")
        let fromFlags = try resolve(.init(apiURL: "https://flag.example", token: "from-flag"), environment: environment, files: files)
        #expect(fromFlags.apiURL.absoluteString == "https://flag.example")
        #expect(fromFlags.token == "from-flag")
        // An empty variable counts as unset.
        let empty = try resolve(environment: ["HOME": "/h", "N0CORE_API_TOKEN": ""], files: files)
        #expect(empty.token == "from-file")
    }

    @Test func anExplicitConfigFileMustExist() throws {
        #expect(throws: CLIFailure.self) { try resolve(.init(configPath: "/missing.yaml")) }
        let given = try resolve(.init(configPath: "/c.yaml"), environment: ["HOME": "/h"], files: ["/c.yaml": "token: t\n"])
        #expect(given.token == "t")
    }

    @Test func unknownKeysAndBadURLsAreErrors() throws {
        let unknown = #expect(throws: CLIFailure.self) { try resolve(.init(configPath: "/c.yaml"), files: ["/c.yaml": "apiurl: x\n"]) }
        #expect(unknown?.message.contains("unknown key 'apiurl'") == true)
        let badURL = #expect(throws: CLIFailure.self) { try resolve(.init(apiURL: "ftp://x")) }
        #expect(badURL?.message.contains("--api-url") == true)
        #expect(badURL?.status == .usage)
    }

    @Test func theTokenIsNeverInTheDescription() throws {
        let configuration = try resolve(.init(token: "s3cret-token"))
        #expect(!configuration.description.contains("s3cret-token"))
        #expect(configuration.description.contains("token: set"))
    }
}
