import AsyncHTTPClient
import CLI
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `n0core`: the command-line client. Everything but the process's streams lives in `CLI`.
@main
enum N0Core {
    static func main() async {
        let httpClient = CommandEnvironment.makeHTTPClient()
        let status = await N0CoreCommand.run(Array(CommandLine.arguments.dropFirst()), in: CommandEnvironment(
            variables: ProcessInfo.processInfo.environment,
            // Unbuffered writes: progress lines show at once, and nothing is lost at exit.
            standardOutput: { text in FileHandle.standardOutput.write(Data(text.utf8)) },
            standardError: { text in FileHandle.standardError.write(Data(text.utf8)) },
            outputIsTerminal: isatty(STDOUT_FILENO) != 0,
            terminalWidth: terminalWidth(),
            httpClient: httpClient))
        do {
            try await httpClient.shutdown()
        } catch {
            FileHandle.standardError.write(Data("warning: closing the HTTP client: \(error)\n".utf8))
        }
        exit(status)
    }

    /// The terminal's columns, so redrawn progress lines are cut before they wrap.
    static func terminalWidth() -> Int? {
        var size = winsize()
        let result = withUnsafeMutablePointer(to: &size) { ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), $0) }
        guard result == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }
}
