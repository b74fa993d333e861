import Foundation
import Synchronization
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Debian's `chromium` without a window, driven over the DevTools protocol on a pipe
/// (`--remote-debugging-pipe`: it reads commands from descriptor 3 and writes answers and events
/// to descriptor 4, each a JSON text ending in a NUL byte), so no port and no websocket client.
final class HeadlessChromium: Sendable {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// One tab, attached with its own DevTools session.
    struct Page: Sendable {
        let browser: HeadlessChromium
        let session: String

        /// The value of `expression` (a promise is awaited); an exception thrown in the page fails.
        func evaluate(_ expression: String) async throws -> Any? {
            let answer = try await browser.send("Runtime.evaluate", ["expression": expression, "returnByValue": true,
                                                                     "awaitPromise": true], session: session)
            if let exception = answer["exceptionDetails"] as? [String: Any] {
                let thrown = (exception["exception"] as? [String: Any])?["description"] as? String
                throw Failure(description: "the page threw: \(thrown ?? exception["text"] as? String ?? "\(exception)")")
            }
            return (answer["result"] as? [String: Any])?["value"]
        }

        /// A PNG of the whole page, not only what fits in the window.
        func screenshot() async throws -> Data {
            let metrics = try await browser.send("Page.getLayoutMetrics", session: session)
            let size = metrics["cssContentSize"] as? [String: Any] ?? [:]
            let clip: [String: Any] = ["x": 0, "y": 0, "width": size["width"] ?? 1280, "height": size["height"] ?? 900, "scale": 1]
            let answer = try await browser.send("Page.captureScreenshot", ["format": "png", "captureBeyondViewport": true, "clip": clip],
                                                session: session)
            guard let text = answer["data"] as? String, let png = Data(base64Encoded: text) else {
                throw Failure(description: "Page.captureScreenshot answered no image")
            }
            return png
        }

        /// Waits until `condition`, a JavaScript expression, is true; says what the page showed if
        /// it never is.
        func waitFor(_ what: String, _ condition: String, within limit: Duration = .seconds(20)) async throws {
            do {
                try await waitUntil(what, within: limit, every: .milliseconds(100)) {
                    (try? await evaluate(condition)) as? Bool == true
                }
            } catch let error as TimedOut {
                let text = (try? await evaluate("document.body ? document.body.innerText : ''")) as? String ?? ""
                throw Failure(description: "\(error); the page shows:\n\(text.prefix(3000))\npage errors: \(errors)")
            }
        }

        /// What the page logged as errors and the exceptions it did not catch, for failure messages.
        var errors: [String] { browser.state.withLock { $0.pageErrors[session] ?? [] } }
    }

    private struct State {
        var nextID = 1
        var waiting: [Int: CheckedContinuation<Data, any Error>] = [:]
        /// Why the pipe closed, once it has.
        var closed: String?
        var pageErrors: [String: [String]] = [:]
    }

    /// Whether tests that need it run: without chromium they are skipped loudly, but under
    /// `CI=true` they run and fail.
    static let testsEnabled: Bool = {
        if executable != nil || IntegrationEnvironment.isCI { return true }
        print("""

            ************************************************************************************
            * SKIPPING the browser tests (WebViewTests): chromium is not installed.
            * apt-get install chromium (deploy/dev-env.sh installs it). With CI=true they fail.
            ************************************************************************************

            """)
        return false
    }()

    /// `chromium` on `PATH`; nil when it is not installed.
    static var executable: String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/chromium" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    let pid: pid_t
    private let commands: Int32
    private let profile: String
    private let state = Mutex(State())

    /// Runs `body` with a browser started for it, closed afterwards whatever happens.
    static func with<Result: Sendable>(_ body: (HeadlessChromium) async throws -> Result) async throws -> Result {
        guard let executable else {
            throw Failure(description: "chromium is not installed: apt-get install chromium (deploy/dev-env.sh installs it)")
        }
        let browser = try HeadlessChromium(executable: executable)
        do {
            let result = try await body(browser)
            await browser.close()
            return result
        } catch {
            await browser.close()
            throw error
        }
    }

    private init(executable: String) throws {
        profile = NSTemporaryDirectory() + "n0core-chromium-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: profile, withIntermediateDirectories: true)
        // The four ends far above 0…4, so moving the child's to 3 and 4 cannot overwrite one.
        let toBrowser = try Self.pipe()
        let fromBrowser = try Self.pipe()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "\(profile)/chromium.log", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        posix_spawn_file_actions_adddup2(&actions, toBrowser.read, 3)
        posix_spawn_file_actions_adddup2(&actions, fromBrowser.write, 4)
        let arguments = [
            executable, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--remote-debugging-pipe", "--user-data-dir=\(profile)", "--window-size=1280,900",
            "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-sync",
            "--disable-background-networking", "--disable-component-update", "--hide-scrollbars", "--mute-audio",
            "about:blank",
        ]
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        Glibc.close(toBrowser.read)
        Glibc.close(fromBrowser.write)
        guard spawned == 0 else {
            Glibc.close(toBrowser.write)
            Glibc.close(fromBrowser.read)
            throw Failure(description: "could not start \(executable): \(String(cString: strerror(spawned)))")
        }
        self.pid = pid
        commands = toBrowser.write
        let answers = fromBrowser.read
        Thread { [self] in self.read(answers) }.start()
    }

    /// A pipe whose ends are 10 or above and closed on exec: the child gets only the copies
    /// posix_spawn moves to 3 and 4, and no other process started meanwhile keeps one open.
    private static func pipe() throws -> (read: Int32, write: Int32) {
        var ends: [Int32] = [0, 0]
        guard Glibc.pipe(&ends) == 0 else { throw Failure(description: "pipe: \(String(cString: strerror(errno)))") }
        defer { Glibc.close(ends[0]); Glibc.close(ends[1]) }
        let read = fcntl(ends[0], F_DUPFD_CLOEXEC, 10)
        let write = fcntl(ends[1], F_DUPFD_CLOEXEC, 10)
        guard read >= 0, write >= 0 else { throw Failure(description: "fcntl: \(String(cString: strerror(errno)))") }
        return (read, write)
    }

    /// Sends one command and returns its `result`; throws its `error`, or after `timeout`.
    @discardableResult
    func send(_ method: String, _ parameters: [String: Any] = [:], session: String? = nil,
              timeout: Duration = .seconds(30)) async throws -> [String: Any] {
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        var message: [String: Any] = ["id": id, "method": method, "params": parameters]
        if let session { message["sessionId"] = session }
        var bytes = try JSONSerialization.data(withJSONObject: message)
        bytes.append(0)
        let expiry = Task { [self] in
            try await Task.sleep(for: timeout)
            state.withLock { $0.waiting.removeValue(forKey: id) }?
                .resume(throwing: Failure(description: "\(method): no answer from Chromium within \(timeout)"))
        }
        defer { expiry.cancel() }
        let answer = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Data, any Error>) in
            let closed = state.withLock { state -> String? in
                if let closed = state.closed { return closed }
                state.waiting[id] = continuation
                return nil
            }
            if let closed {
                continuation.resume(throwing: Failure(description: "\(method): \(closed)"))
            } else if !write(bytes) {
                state.withLock { $0.waiting.removeValue(forKey: id) }?
                    .resume(throwing: Failure(description: "\(method): could not write to Chromium's pipe: \(logTail)"))
            }
        }
        let object = try JSONSerialization.jsonObject(with: answer) as? [String: Any] ?? [:]
        if let error = object["error"] as? [String: Any] {
            throw Failure(description: "\(method): \(error["message"] as? String ?? "\(error)")")
        }
        return object["result"] as? [String: Any] ?? [:]
    }

    /// A new tab showing `url`, with the page's errors collected.
    func open(_ url: String) async throws -> Page {
        let target = try await send("Target.createTarget", ["url": "about:blank"])
        guard let targetID = target["targetId"] as? String else { throw Failure(description: "Target.createTarget: no targetId") }
        let attached = try await send("Target.attachToTarget", ["targetId": targetID, "flatten": true])
        guard let session = attached["sessionId"] as? String else { throw Failure(description: "Target.attachToTarget: no sessionId") }
        try await send("Runtime.enable", session: session)
        try await send("Page.navigate", ["url": url], session: session)
        return Page(browser: self, session: session)
    }

    private func write(_ bytes: Data) -> Bool {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(commands, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { return false }
                offset += written
            }
            return true
        }
    }

    /// Reads answers and events until Chromium closes its end; then every waiting command fails.
    private func read(_ descriptor: Int32) {
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = Glibc.read(descriptor, &chunk, chunk.count)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            pending += chunk[0..<count]
            while let end = pending.firstIndex(of: 0) {
                deliver(Data(pending[..<end]))
                pending.removeSubrange(...end)
            }
        }
        Glibc.close(descriptor)
        let reason = "Chromium closed its DevTools pipe: \(logTail)"
        let waiting = state.withLock { state in
            state.closed = reason
            defer { state.waiting = [:] }
            return state.waiting
        }
        for continuation in waiting.values { continuation.resume(throwing: Failure(description: reason)) }
    }

    private func deliver(_ message: Data) {
        guard let object = try? JSONSerialization.jsonObject(with: message) as? [String: Any] else { return }
        if let id = object["id"] as? Int {
            state.withLock { $0.waiting.removeValue(forKey: id) }?.resume(returning: message)
        } else if let session = object["sessionId"] as? String, let text = Self.pageError(object) {
            state.withLock { $0.pageErrors[session, default: []].append(text) }
        }
    }

    /// An uncaught exception or a `console.error` from a page's event, as one line.
    private static func pageError(_ event: [String: Any]) -> String? {
        let parameters = event["params"] as? [String: Any] ?? [:]
        switch event["method"] as? String {
        case "Runtime.exceptionThrown":
            let details = parameters["exceptionDetails"] as? [String: Any] ?? [:]
            return ((details["exception"] as? [String: Any])?["description"] as? String) ?? details["text"] as? String
        case "Runtime.consoleAPICalled" where parameters["type"] as? String == "error":
            let arguments = parameters["args"] as? [[String: Any]] ?? []
            return arguments.map { ($0["value"] as? String) ?? ($0["description"] as? String) ?? "" }.joined(separator: " ")
        default:
            return nil
        }
    }

    /// The end of what Chromium printed, to say why it stopped.
    private var logTail: String {
        let log = (try? String(contentsOfFile: "\(profile)/chromium.log", encoding: .utf8)) ?? ""
        return log.isEmpty ? "(it printed nothing)" : String(log.suffix(2000))
    }

    /// Asks Chromium to quit, kills it after 5 s if it has not, and removes its profile.
    private func close() async {
        _ = try? await send("Browser.close", timeout: .seconds(5))
        var status: Int32 = 0
        var reaped = false
        for _ in 0..<50 {
            if waitpid(pid, &status, WNOHANG) == pid { reaped = true; break }
            try? await Task.sleep(for: .milliseconds(100))
        }
        if !reaped {
            kill(pid, SIGKILL)
            waitpid(pid, &status, 0)
        }
        Glibc.close(commands)
        try? FileManager.default.removeItem(atPath: profile)
    }
}
